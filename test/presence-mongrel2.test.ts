/**
 * Who's online behind a real Mongrel2's way of dealing requests, with two engines (two handler
 * processes) on one SQLite file in-process: the hang-up of a call reaches the engine that does not
 * hold it, and the caller is gone from the list at once, though the holder's heartbeat goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { createEventBus } from '../handler/event-bus.js';
import { watchHangUpOrders } from '../handler/hang-up-watch.js';
import { Journal } from '../handler/journal.js';
import { until } from './support/process-tree.js';
import { createPresence, FRESH_MS, type Presence } from '../handler/presence.js';
import { createHarness, TEST_LIMITS, type Harness } from './support/harness.js';

let dir = '';
const opened: { harness: Harness; presence: Presence }[] = [];
afterEach(() => {
  for (const b of opened.splice(0)) {
    b.presence.stop();
    b.harness.close();
  }
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function handler(owner: string): { harness: Harness; store: Store } {
  if (dir === '') dir = mkdtempSync(join(tmpdir(), 'm2bbs-presence-'));
  const store = createStore(openDatabase(join(dir, 'bbs.db')));
  const log = createLogger('silent');
  const presence = createPresence({ store: store.presence, bus: createEventBus({ log }), number: 'bbs.10', owner, log, now: Date.now });
  const harness = createHarness({ store, journal: new Journal({ store: store.journal, owner, log, now: Date.now }), limits: TEST_LIMITS, log, presence });
  opened.push({ harness, presence });
  return { harness, store };
}

describe("who's online behind Mongrel2", () => {
  it('a hang-up heard by the engine not holding the call takes the caller off the list: there if it lives, here if not', async () => {
    const a = handler('A');
    const b = handler('B');
    const watch = watchHangUpOrders(a.store, a.harness.engine, createLogger('silent'), 60_000);
    onTestFinished(() => watch.stop());
    const online = (): (string | null)[] => b.store.presence.online(Date.now() - FRESH_MS).map((row) => row.name);
    const gone = (): Promise<true> => until(() => (online().length === 0 ? true : undefined), 'the caller off the list', 5000);
    const onA = a.harness.caller('1');
    await onA.dial();
    for (const line of ['nia', 'password1', 'y', 'password1']) await onA.say(line);
    expect(online()).toEqual(['nia']);
    // A holds the call and carries out B's order at its next look: its session ends there.
    b.harness.caller('1').hangUp();
    await gone();
    await until(() => (a.harness.engine.liveSessions === 0 ? true : undefined), "A's session ended", 5000);
    // A holder that carries nothing out (its watch stopped, as if it died): B takes the caller off itself.
    watch.stop();
    const again = a.harness.caller('2');
    await again.dial();
    for (const line of ['nia', 'password1']) await again.say(line);
    await until(() => (online().length === 1 ? true : undefined), 'the caller back on the list', 5000);
    b.harness.caller('2').hangUp();
    await gone();
  });
});
