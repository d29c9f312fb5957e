/**
 * In-process "backends" for chat tests: engines with a Journal each on one real SQLite file,
 * joined by a real loop-back event bus, each behind a tap a test can cut as a killed process's
 * connection to the bus would be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { createLogger, type Logger } from '../../common/log.js';
import { openDatabase } from '../../db/open-database.js';
import { createStore, type Store } from '../../db/store.js';
import type { EventBus } from '../../handler/event-bus.js';
import { Journal } from '../../handler/journal.js';
import type { Reply } from '../../handler/replies.js';
import { createHarness, TEST_LIMITS, type Harness, type TestCaller } from './harness.js';

/** One backend's connection to a shared bus, which a test can cut as a killed process's would be. */
export type TappedBus = EventBus & { cut(): void };

/** Taps `hub` for one backend. */
export function tap(hub: EventBus): TappedBus {
  let cut = false;
  return {
    publish: (topic, body) => (cut ? undefined : hub.publish(topic, body)),
    onEvent: (listener) => hub.onEvent((topic, body) => (cut ? undefined : listener(topic, body))),
    connected: hub.connected,
    close: async () => undefined,
    cut: () => void (cut = true),
  };
}

/** Backends on board files in temporary folders; `close()` closes every one and removes the folders. */
export class ChatBackends {
  private readonly dirs: string[] = [];
  private readonly harnesses: Harness[] = [];
  private readonly log = createLogger('silent');

  constructor(private readonly clock: () => number) {}

  /** A new board file. */
  board(): string {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-chat-'));
    this.dirs.push(dir);
    return join(dir, 'bbs.db');
  }

  /** A backend called `owner` on `file`, on `bus`, logging to `log` (silent when not given). */
  backend(file: string, owner: string, bus: EventBus, log: Logger = this.log): { harness: Harness; db: Database.Database; store: Store } {
    const db = openDatabase(file);
    const store = createStore(db);
    const journal = new Journal({ store: store.journal, owner, log, now: Date.now });
    const harness = createHarness({ store, journal, bus, limits: TEST_LIMITS, clock: this.clock, log });
    this.harnesses.push(harness);
    return { harness, db, store };
  }

  close(): void {
    for (const h of this.harnesses.splice(0)) h.close();
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Matches an event reply whose text is `text`. */
export const isEvent = (text: string) => (reply: Reply): boolean => (reply.type as string) === 'event' && reply.msg === text;

/** How many events whose text is `text` the caller got. */
export const eventCount = (caller: TestCaller, text: string): number => caller.replies.filter(isEvent(text)).length;
