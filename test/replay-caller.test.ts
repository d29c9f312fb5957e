/**
 * Who a conversation that no longer fits the code goes on as (handler/replay.ts loggedInCaller):
 * read from its journal rows as the engine writes them. A login's result row says whether the
 * password let the caller in; a refused one must never start the caller logged in.
 */
import { describe, expect, it } from 'vitest';
import type { Caller } from '../db/store.js';
import type { JournalRow } from '../db/journal-store.js';
import type { Effect } from '../handler/effects.js';
import { encodeValue, fingerprint } from '../handler/journal.js';
import { loggedInCaller } from '../handler/replay.js';

const alice: Caller = { id: 7, name: 'alice', createdAt: 1_000, lastCallAt: 2_000, calls: 3 };

// The rows a login writes: the name and password lines, then the service's result.
function rowsWith(service: 'logIn' | 'register', result: unknown): JournalRow[] {
  const effect: Effect = { kind: 'call', service, args: ['alice', 'guess'] };
  return [
    { n: 1, kind: 'start', print: 'start', seq: null, value: null },
    { n: 2, kind: 'line', print: 'ask:name: name> ', seq: 1, value: encodeValue('alice') },
    { n: 3, kind: 'line', print: 'ask:password: pass> :secret', seq: 2, value: null },
    { n: 4, kind: 'result', print: fingerprint(effect), seq: null, value: encodeValue(result) },
  ];
}

describe('loggedInCaller', () => {
  it('finds nobody after a wrong password (a login refused with its failure count)', () => {
    expect(loggedInCaller(rowsWith('logIn', { ok: false, failures: 3 }))).toBeUndefined();
  });

  it('finds the caller a right password let in, with their name and id', () => {
    expect(loggedInCaller(rowsWith('logIn', { ok: true, caller: alice, endedOtherLine: false }))).toEqual(alice);
  });

  it('finds the caller a sign-up created (its result is the caller itself)', () => {
    expect(loggedInCaller(rowsWith('register', alice))).toEqual(alice);
  });

  it('finds the caller a checkpoint names, and nobody at a checkpoint before login', () => {
    const checkpoint = (caller: Caller | null): JournalRow => ({ n: 1, kind: 'checkpoint', print: 'checkpoint:main', seq: null, value: JSON.stringify({ caller, menu: 'main' }) });
    expect(loggedInCaller([checkpoint(alice)])).toEqual(alice);
    expect(loggedInCaller([checkpoint(null)])).toBeUndefined();
  });
});
