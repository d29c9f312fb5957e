/**
 * What the message areas cost on a big board: the new-message scan a caller gets at login (every
 * area's unread count, the caller's own messages left out), reading a page with its read mark,
 * and a post (which checks whether its author was up to date), on a real SQLite file in WAL.
 * Run: `npx tsx bench/areas-scan-cost.ts [MESSAGES]` (default 100000, spread over 3 areas).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';

/** Wall time per call of each operation, in µs. */
export interface AreaCosts {
  readonly scanNewCaller: number;
  readonly scanUpToDate: number;
  readonly readPage: number;
  readonly post: number;
}

function perCall(rounds: number, run: () => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) run();
  return Number(process.hrtime.bigint() - start) / rounds / 1000;
}

/** Fills a board with `messages` messages by one caller in 3 areas and times each operation for another. */
export function measureAreas(messages: number, rounds = 100): AreaCosts {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-areas-cost-'));
  const store = createStore(openDatabase(join(dir, 'bbs.db')));
  try {
    store.areas.reconcile([{ name: 'general', title: 'General' }, { name: 'tech', title: 'Tech' }, { name: 'retro', title: 'Retro' }]);
    const author = store.createCaller('author', 'h', 0).id;
    const reader = store.createCaller('reader', 'h', 0).id;
    const regular = store.createCaller('regular', 'h', 0).id;
    const areas = store.areas.list();
    for (let i = 0; i < messages; i++) store.areas.post(areas[i % areas.length]!.id, author, `message ${i}`, null, i);
    // `regular` has read everything: their scan counts nothing.
    for (const area of areas) store.areas.read(regular, area.id, 0, messages);
    return {
      scanNewCaller: perCall(rounds, () => store.areas.news(reader)),
      scanUpToDate: perCall(rounds, () => store.areas.news(regular)),
      readPage: perCall(rounds, () => store.areas.read(reader, areas[1]!.id, messages / 2, 5)),
      post: perCall(rounds, () => store.areas.post(areas[0]!.id, reader, 'a post', null, messages)),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const messages = Number(process.argv[2] ?? 100_000);
  const costs = measureAreas(messages);
  console.log(`${messages} messages in 3 areas, µs per call:`);
  for (const [what, us] of Object.entries(costs)) console.log(`  ${what.padEnd(14)} ${us.toFixed(1)}`);
}
