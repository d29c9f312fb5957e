/** An in-memory board with two areas (general, tech) and two callers (ann, bob), closed when the test ends. */
import type Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import { openDatabase } from '../../db/open-database.js';
import { createStore, type Store } from '../../db/store.js';

/** When the callers signed up. */
export const T0 = 1_700_000_000_000;

/** The board: its database, store, the callers' ids and the tech area's id. */
export function twoAreaBoard(): { db: Database.Database; store: Store; ann: number; bob: number; tech: number } {
  const db = openDatabase(':memory:');
  const store = createStore(db);
  onTestFinished(() => store.close());
  store.areas.reconcile([{ name: 'general', title: 'General' }, { name: 'tech', title: 'Technical talk' }]);
  const tech = store.areas.list().find((a) => a.name === 'tech')?.id ?? 0;
  return { db, store, ann: store.createCaller('ann', 'h', T0).id, bob: store.createCaller('bob', 'h', T0).id, tech };
}
