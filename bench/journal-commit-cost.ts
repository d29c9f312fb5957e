/**
 * What one journal commit costs a backend: the transaction a durable conversation commits each
 * time its flow waits (its rows, and the fencing update of its position), against a real SQLite
 * file in WAL (as a backend opens it), for 50 conversations in turn as in the throughput run.
 * Timed in CPU (user and system: writing the WAL is half of it), for a commit of one line, and of
 * one line with a page of the board as a call's result (what reading the board journals).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalRow } from '../db/journal-store.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { DEFAULT_LIMITS } from '../handler/limits.js';

/** CPU per commit, in µs. */
export interface CommitCost {
  readonly commits: number;
  readonly cpuMicros: number;
  readonly userMicros: number;
  readonly systemMicros: number;
}

const CONVERSATIONS = 50;

/** Commits `rounds` x 50 journal entries of each kind to a fresh database file and times them. */
export function measureCommits(rounds: number): { readonly line: CommitCost; readonly linePlusPage: CommitCost } {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-commit-cost-'));
  const store = createStore(openDatabase(join(dir, 'bbs.db')));
  try {
    const journal = store.journal;
    const ids = Array.from({ length: CONVERSATIONS }, (_, i) => i.toString(16).padStart(32, '0'));
    const positions = ids.map(() => ({ nextN: 0, startN: 0, lastSeq: 1, lastPart: 0, callerId: 1 }));
    const lastRows: (number | null)[] = ids.map(() => null);
    for (const id of ids) journal.claim(id, 'bench', 'v', Date.now(), { conn: 1, seq: 1, part: 0 });
    // A page of the board as listMessages returns it: pageSize messages of two lines.
    const page = JSON.stringify(
      Array.from({ length: DEFAULT_LIMITS.pageSize }, (_, i) => ({ id: i + 1, author: `bench${i}`, body: `bench line 1 from bench${i}, typed at the board\nbench line 2 from bench${i}, typed at the board`, createdAt: Date.now() })),
    );
    const run = (withPage: boolean): CommitCost => {
      const before = process.cpuUsage();
      for (let round = 0; round < rounds; round++) {
        for (const [i, id] of ids.entries()) {
          const position = positions[i] as (typeof positions)[number];
          const rows: JournalRow[] = [{ n: position.nextN, kind: 'line', print: 'ask:menu:> ', seq: position.lastSeq + 1, value: '"2"' }];
          if (withPage) rows.push({ n: position.nextN + 1, kind: 'result', print: 'call:listMessages:[0,5]', seq: null, value: page });
          position.nextN += rows.length;
          position.lastSeq++;
          lastRows[i] = journal.commit(id, 1, { rows, dropFrom: undefined, after: lastRows[i] ?? null }, () => position, Date.now()).lastRow;
        }
      }
      const { user, system } = process.cpuUsage(before);
      const commits = rounds * CONVERSATIONS;
      return { commits, cpuMicros: (user + system) / commits, userMicros: user / commits, systemMicros: system / commits };
    };
    return { line: run(false), linePlusPage: run(true) };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
