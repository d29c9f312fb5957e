/**
 * The login tables of migrations v5 and v6 on a real SQLite database, with the clock passed in: the
 * throttle's window, locks and their lifting, pruning; each caller's line and hang-up orders.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { once } from 'node:events';
import { openDatabase } from '../db/open-database.js';
import { createLogger } from '../common/log.js';
import { KNOWN_FOR_MS } from '../db/login-throttle.js';
import { hashPassword } from '../db/password.js';
import { createStore, type Store } from '../db/store.js';
import { createLoginServices } from '../handler/login-services.js';
import { createStoredOr } from '../handler/write-failure-log.js';

const RULES = { nameLockAfter: 3, addressLockAfter: 5, windowMs: 60_000 };
const T = 1_800_000_000_000;

function store(): Store {
  return createStore(openDatabase(':memory:'));
}

describe('the login throttle', () => {
  it('locks a name after its limit within the window, says so until the lock lifts, then counts afresh', () => {
    const { throttle } = store();
    expect(throttle.countFailure('alice', '192.0.2.7', T, RULES)).toEqual({ nameFailures: 1, addressFailures: 1, pairFailures: 1, nameLockedUntil: undefined, addressLockedUntil: undefined, pairLockedUntil: undefined });
    throttle.countFailure('ALICE', '192.0.2.7', T + 1000, RULES);
    expect(throttle.lockOf('alice', '192.0.2.7', T + 1000)).toBeUndefined();
    expect(throttle.countFailure('alice', '192.0.2.8', T + 2000, RULES).nameLockedUntil).toBe(T + 2000 + RULES.windowMs);
    expect(throttle.lockOf('Alice', undefined, T + 3000)).toEqual({ on: 'name', until: T + 62_000 });
    // A failure during the lock (a password prompt opened before it) neither counts nor extends it.
    expect(throttle.countFailure('alice', '192.0.2.9', T + 4000, RULES)).toMatchObject({ nameFailures: 3, nameLockedUntil: undefined });
    expect(throttle.lockOf('alice', undefined, T + 61_999)).toEqual({ on: 'name', until: T + 62_000 });
    expect(throttle.lockOf('alice', undefined, T + 62_000)).toBeUndefined();
    expect(throttle.failuresOf('alice', T + 62_000, RULES.windowMs)).toBe(0);
    expect(throttle.countFailure('alice', undefined, T + 63_000, RULES).nameFailures).toBe(1);
  });

  it('forgets failures older than the window, and a right password forgets the name (not the address)', () => {
    const { throttle } = store();
    throttle.countFailure('bob', '192.0.2.7', T, RULES);
    throttle.countFailure('bob', '192.0.2.7', T + 1000, RULES);
    expect(throttle.countFailure('bob', '192.0.2.7', T + RULES.windowMs + 1, RULES)).toMatchObject({ nameFailures: 1, addressFailures: 1, nameLockedUntil: undefined });
    throttle.succeeded('BOB', '192.0.2.7', T + RULES.windowMs + 2);
    expect(throttle.failuresOf('bob', T + RULES.windowMs + 2, RULES.windowMs)).toBe(0);
    expect(throttle.countFailure('carol', '192.0.2.7', T + RULES.windowMs + 3, RULES).addressFailures).toBe(2);
  });

  it('spares the addresses a name logged in from: the owner gets in during a lock, and the guesser stays locked', () => {
    const { throttle } = store();
    throttle.succeeded('dora', '192.0.2.50', T);
    for (let i = 0; i < 3; i++) throttle.countFailure('dora', '203.0.113.66', T + 1000 + i, RULES);
    const locked = { on: 'name', until: T + 1002 + RULES.windowMs };
    expect(throttle.lockOf('dora', '203.0.113.66', T + 2000)).toEqual(locked);
    expect(throttle.lockOf('dora', undefined, T + 2000)).toEqual(locked);
    expect(throttle.lockOf('dora', '192.0.2.50', T + 2000)).toBeUndefined();
    // The owner logging in from there lifts nothing for the guesser.
    throttle.succeeded('DORA', '192.0.2.50', T + 3000);
    expect(throttle.lockOf('dora', '203.0.113.66', T + 4000)).toEqual(locked);
    // An address not used for KNOWN_FOR_MS is no longer spared, and is pruned.
    const later = T + 3000 + KNOWN_FOR_MS;
    for (let i = 0; i < 3; i++) throttle.countFailure('dora', '203.0.113.66', later + i, RULES);
    expect(throttle.lockOf('dora', '192.0.2.50', later + 10)).toMatchObject({ on: 'name' });
    expect(throttle.prune(later + 10, RULES.windowMs)).toBeGreaterThanOrEqual(1);
  });

  it('spares an address the name logged in from only while its own failures there are under the limit (a guesser behind the owner\'s NAT)', () => {
    const { throttle } = store();
    const nat = '192.0.2.50';
    throttle.succeeded('erin', nat, T);
    for (let i = 0; i < 3; i++) throttle.countFailure('erin', '203.0.113.66', T + 1000 + i, RULES);
    expect(throttle.lockOf('erin', nat, T + 2000)).toBeUndefined();
    // Someone behind the same NAT guesses: not counted against the locked name, but against the pair.
    expect(throttle.countFailure('erin', nat, T + 2001, RULES)).toMatchObject({ nameFailures: 3, pairLockedUntil: undefined });
    expect(throttle.countFailure('erin', nat, T + 2002, RULES)).toMatchObject({ pairLockedUntil: undefined });
    expect(throttle.lockOf('erin', nat, T + 2003)).toBeUndefined();
    expect(throttle.countFailure('erin', nat, T + 2004, RULES)).toMatchObject({ nameFailures: 3, pairFailures: 3, pairLockedUntil: T + 2004 + RULES.windowMs });
    // Three tries there, as anywhere: the pair is locked at the NAT, and a login there lifts nothing.
    expect(throttle.lockOf('erin', nat, T + 2005)).toEqual({ on: 'pair', until: T + 2004 + RULES.windowMs });
    throttle.succeeded('erin', nat, T + 2006);
    expect(throttle.lockOf('erin', nat, T + 2007)).toMatchObject({ on: 'pair' });
    // Another name's owner behind the NAT is not touched by it.
    throttle.succeeded('fred', nat, T);
    expect(throttle.lockOf('fred', nat, T + 2008)).toBeUndefined();
  });

  it("locks a pair on its own: the name's lock lifting gives a guesser at the owner's address no more tries", () => {
    const { throttle } = store();
    const owners = '192.0.2.51';
    throttle.succeeded('gina', owners, T);
    for (let i = 0; i < 3; i++) throttle.countFailure('gina', `203.0.113.${i + 1}`, T + i, RULES);
    const nameLifts = T + 2 + RULES.windowMs;
    // Three guesses from the owner's address while the name is locked there: the pair locks, for its own time.
    for (let i = 0; i < 2; i++) throttle.countFailure('gina', owners, T + 30_000 + i, RULES);
    const pairLifts = T + 30_002 + RULES.windowMs;
    expect(throttle.countFailure('gina', owners, T + 30_002, RULES)).toMatchObject({ nameFailures: 3, pairFailures: 3, nameLockedUntil: undefined, pairLockedUntil: pairLifts });
    expect(throttle.lockOf('gina', owners, T + 30_003)).toEqual({ on: 'pair', until: pairLifts });
    // The name's lock lifts: the name is free from elsewhere, the pair still locked.
    expect(throttle.lockOf('gina', '203.0.113.1', nameLifts)).toBeUndefined();
    expect(throttle.lockOf('gina', owners, nameLifts)).toEqual({ on: 'pair', until: pairLifts });
    // A password prompt opened before it neither counts nor extends it.
    expect(throttle.countFailure('gina', owners, nameLifts + 1, RULES)).toMatchObject({ pairFailures: 3, pairLockedUntil: undefined });
    expect(throttle.lockOf('gina', owners, pairLifts - 1)).toEqual({ on: 'pair', until: pairLifts });
    expect(throttle.lockOf('gina', owners, pairLifts)).toBeUndefined();
    expect(throttle.countFailure('gina', owners, pairLifts, RULES)).toMatchObject({ pairFailures: 1 });
  });

  it("locks a pair whose failures straddle the name lock's lifting", () => {
    const { throttle } = store();
    const owners = '192.0.2.52';
    throttle.succeeded('hal', owners, T);
    for (let i = 0; i < 3; i++) throttle.countFailure('hal', `203.0.113.${i + 1}`, T + i, RULES);
    const nameLifts = T + 2 + RULES.windowMs;
    // One guess there during the name's lock, two after it: the pair's count goes on, the name's starts afresh.
    throttle.countFailure('hal', owners, nameLifts - 1, RULES);
    throttle.countFailure('hal', owners, nameLifts + 1, RULES);
    expect(throttle.countFailure('hal', owners, nameLifts + 2, RULES)).toMatchObject({ nameFailures: 2, pairFailures: 3, nameLockedUntil: undefined, pairLockedUntil: nameLifts + 2 + RULES.windowMs });
    expect(throttle.lockOf('hal', owners, nameLifts + 3)).toEqual({ on: 'pair', until: nameLifts + 2 + RULES.windowMs });
    expect(throttle.lockOf('hal', '203.0.113.9', nameLifts + 3)).toBeUndefined();
    // The name locked again from elsewhere: its lock spares the owner's address, the pair's does not.
    expect(throttle.countFailure('hal', '203.0.113.9', nameLifts + 4, RULES)).toMatchObject({ nameLockedUntil: nameLifts + 4 + RULES.windowMs });
    expect(throttle.lockOf('hal', owners, nameLifts + 5)).toEqual({ on: 'pair', until: nameLifts + 2 + RULES.windowMs });
  });

  it('locks a pair at an address the name never logged in from, and says the later of it and the name lock', () => {
    const { throttle } = store();
    const guesser = '203.0.113.66';
    throttle.countFailure('ivan', guesser, T, RULES);
    throttle.countFailure('ivan', guesser, T + 1, RULES);
    // The owner logs in from elsewhere: the name's count is forgotten, the guesser's pair count is not.
    throttle.succeeded('ivan', '192.0.2.53', T + 2);
    expect(throttle.countFailure('ivan', guesser, T + 3, RULES)).toMatchObject({ nameFailures: 1, pairFailures: 3, nameLockedUntil: undefined, pairLockedUntil: T + 3 + RULES.windowMs });
    expect(throttle.lockOf('ivan', guesser, T + 4)).toEqual({ on: 'pair', until: T + 3 + RULES.windowMs });
    expect(throttle.lockOf('ivan', '203.0.113.67', T + 4)).toBeUndefined();
    // The name locked later, from other addresses: at the guesser's both hold, and the name's lifts later.
    throttle.countFailure('ivan', '203.0.113.68', T + 5, RULES);
    expect(throttle.countFailure('ivan', '203.0.113.69', T + 6, RULES)).toMatchObject({ nameLockedUntil: T + 6 + RULES.windowMs });
    expect(throttle.lockOf('ivan', guesser, T + 7)).toEqual({ on: 'name', until: T + 6 + RULES.windowMs });
  });

  it('locks an address across names, and prunes what no longer counts', () => {
    const { throttle } = store();
    let last;
    for (let i = 0; i < 5; i++) last = throttle.countFailure(`name${i}`, '198.51.100.1', T + i, RULES);
    expect(last?.addressLockedUntil).toBe(T + 4 + RULES.windowMs);
    expect(throttle.lockOf('newcomer', '198.51.100.1', T + 10)).toEqual({ on: 'address', until: T + 4 + RULES.windowMs });
    expect(throttle.lockOf('newcomer', '198.51.100.2', T + 10)).toBeUndefined();
    expect(throttle.prune(T + 10, RULES.windowMs)).toBe(0);
    // Eleven rows (five names, one address, five name-and-address pairs), all past their window and lock.
    expect(throttle.prune(T + 5 + RULES.windowMs, RULES.windowMs)).toBe(11);
  });
});

describe("the login services' log lines", () => {
  it("logs a pair's lock with the pair's own count and when it lifts, and refuses the pair after the name's lock lifts", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const db = createStore(openDatabase(':memory:'));
    const cost = { N: 16, r: 1, p: 1 };
    db.createCaller('alice', await hashPassword('right', cost), T);
    let now = T;
    const login = createLoginServices({
      store: db,
      log,
      cost,
      clock: () => now,
      rules: { loginLockAfter: 3, loginLockMs: RULES.windowMs, loginAddressLockAfter: 0 },
      countCall: (caller) => caller,
      storedOr: createStoredOr(log, db),
    });
    const from = (remote: string) => ({ line: `line-${remote}`, remote });
    const attempt = async (password: string, remote: string, at: number) => {
      const finish = await login.logIn('alice', password, from(remote));
      now = at;
      return finish();
    };
    const owners = '192.0.2.51';
    expect(await attempt('right', owners, T)).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) await attempt('wrong', `203.0.113.${i + 1}`, T + i);
    const nameLifts = T + 2 + RULES.windowMs;
    // One guess at the owner's address during the name's lock, two after it.
    for (const at of [nameLifts - 1, nameLifts + 1, nameLifts + 2]) expect(await attempt('wrong', owners, at)).toMatchObject({ ok: false });
    const pairLifts = nameLifts + 2 + RULES.windowMs;
    const locks = lines.filter((line) => line.msg === 'login locked');
    expect(locks).toEqual([
      expect.objectContaining({ level: 'warn', code: 'BBS_ERR_LOGIN_LOCKED', on: 'name', caller: 'alice', remote: '203.0.113.3', failures: 3, until: new Date(nameLifts).toISOString() }),
      expect.objectContaining({ level: 'warn', code: 'BBS_ERR_LOGIN_LOCKED', on: 'pair', caller: 'alice', remote: owners, failures: 3, until: new Date(pairLifts).toISOString() }),
    ]);
    // The name's own count is two (its lock lifted between): the `login failed` line says so.
    expect(lines.filter((line) => line.msg === 'login failed').at(-1)).toMatchObject({ remote: owners, failures: 2 });
    // The name prompt at the owner's address says the name is locked, until the pair's lock lifts.
    now = nameLifts + 3;
    expect(login.loginLock('alice', from(owners))).toEqual({ on: 'name', minutes: 1 });
    expect(login.loginLock('alice', from('203.0.113.1'))).toBeUndefined();
    // Even the right password from there is refused, unread and uncounted, until then.
    expect(await attempt('right', owners, pairLifts - 1)).toMatchObject({ ok: false });
    expect(lines.at(-1)).toMatchObject({ msg: 'login refused: locked', on: 'pair', remote: owners, until: new Date(pairLifts).toISOString() });
    expect(await attempt('right', owners, pairLifts)).toMatchObject({ ok: true });
  });
});

describe('hang-up orders', () => {
  it("orders a caller's other open line hung up, never the same line, nor one that ended", () => {
    const db = openDatabase(':memory:');
    const { hangUps, createCaller } = createStore(db);
    const alice = createCaller('alice', 'x', T);
    const bob = createCaller('bob', 'x', T);
    expect(hangUps.takeLine(alice.id, 'line-a', T, 'logged_in_elsewhere')).toBeUndefined();
    // The same line again: a call moved to another backend.
    expect(hangUps.takeLine(alice.id, 'line-a', T + 1, 'logged_in_elsewhere')).toBeUndefined();
    expect(hangUps.takeLine(bob.id, 'line-b', T + 1, 'logged_in_elsewhere')).toBeUndefined();
    const before = hangUps.madeHere;
    const order = hangUps.takeLine(alice.id, 'line-c', T + 2, 'logged_in_elsewhere');
    expect(order).toMatchObject({ line: 'line-a', callerId: alice.id, reason: 'logged_in_elsewhere', madeAt: T + 2 });
    expect(hangUps.madeHere).toBe(before + 1);
    expect(hangUps.since(0)).toEqual([order]);
    expect(hangUps.pendingFor('line-a')).toEqual([order]);
    hangUps.done(order?.id ?? 0, T + 3);
    expect(hangUps.pendingFor('line-a')).toEqual([]);
    expect(hangUps.lastId()).toBe(order?.id);

    // A line that ended is not hung up: removed by the engine, or closed in the journal.
    hangUps.lineEnded(alice.id, 'line-c');
    expect(hangUps.takeLine(alice.id, 'line-d', T + 4, 'logged_in_elsewhere')).toBeUndefined();
    db.prepare("INSERT INTO conversations (id, epoch, owner, code, opened_at, heard_at, closed_at) VALUES ('line-d', 1, 'x', 'x', 0, 0, 1)").run();
    expect(hangUps.takeLine(alice.id, 'line-e', T + 5, 'logged_in_elsewhere')).toBeUndefined();
    expect(hangUps.since(order?.id ?? 0)).toEqual([]);
    // A kick names the line itself (the caller's line as their login recorded it), with its free text.
    expect(hangUps.lineOf(bob.id)).toBe('line-b');
    expect(hangUps.order('line-b', bob.id, 'kicked', T + 6, 'spam in General')).toMatchObject({ line: 'line-b', callerId: bob.id, reason: 'kicked', detail: 'spam in General' });
    expect(hangUps.prune(T + 6)).toBe(1);
    expect(hangUps.since(0).map((o) => [o.reason, o.detail])).toEqual([['kicked', 'spam in General']]);
    expect(order?.detail).toBeNull();
    hangUps.lineEnded(bob.id, 'line-b');
    expect(hangUps.lineOf(bob.id)).toBeUndefined();
  });

  it("data_version moves when another connection commits an order, not for this connection's own", () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-orders-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const here = createStore(openDatabase(join(dir, 'bbs.db')));
    const there = createStore(openDatabase(join(dir, 'bbs.db')));
    onTestFinished(() => (here.close(), there.close()));
    const alice = here.createCaller('alice', 'x', T);
    const seen = here.hangUps.dataVersion();
    here.hangUps.order('line-a', alice.id, 'kicked', T);
    expect(here.hangUps.dataVersion()).toBe(seen);
    there.hangUps.order('line-b', alice.id, 'kicked', T);
    expect(here.hangUps.dataVersion()).not.toBe(seen);
    expect(here.hangUps.since(0).map((order) => order.line)).toEqual(['line-a', 'line-b']);
  });
});

// Another backend's write in progress: a process holding the database's write lock (BEGIN
// IMMEDIATE) until it is told to commit. Python's sqlite3 is a real SQLite of its own.
const HOLDER = [
  'import sqlite3, sys',
  'db = sqlite3.connect(sys.argv[1], isolation_level=None)',
  'db.execute("BEGIN IMMEDIATE")',
  'db.execute("INSERT INTO login_failures (kind, key, failures, first_at, last_at, locked_until) VALUES (\'address\', \'198.51.100.1\', 1, 0, 0, NULL)")',
  'print("holding", flush=True)',
  'sys.stdin.readline()',
  'db.execute("COMMIT")',
  'print("done", flush=True)',
].join('\n');

async function anotherBackendWriting(file: string): Promise<{ commitSoon: () => void }> {
  const child = spawn(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', HOLDER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  onTestFinished(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  while (!out.includes('holding')) await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => Promise.reject(new Error(`the writer exited: ${out}`)))]);
  // Told to commit, it does so while this thread waits in SQLite's busy handler for the lock.
  return { commitSoon: () => void child.stdin.write('go\n') };
}

describe('two backends writing at once (journal off)', () => {
  function twoStores(): { here: Store; file: string } {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-busy-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bbs.db');
    const here = createStore(openDatabase(file));
    onTestFinished(() => here.close());
    return { here, file };
  }

  it('counts a wrong password made while another backend holds the write lock, once it commits', async () => {
    const { here, file } = twoStores();
    const writer = await anotherBackendWriting(file);
    writer.commitSoon();
    expect(here.throttle.countFailure('alice', '192.0.2.7', T, RULES)).toMatchObject({ nameFailures: 1, addressFailures: 1 });
    expect(here.throttle.failuresOf('alice', T, RULES.windowMs)).toBe(1);
  });

  it("records a login's line and its hang-up order while another backend holds the write lock", async () => {
    const { here, file } = twoStores();
    const alice = here.createCaller('alice', 'x', T);
    expect(here.hangUps.takeLine(alice.id, 'line-a', T, 'logged_in_elsewhere')).toBeUndefined();
    const writer = await anotherBackendWriting(file);
    writer.commitSoon();
    expect(here.hangUps.takeLine(alice.id, 'line-b', T + 1, 'logged_in_elsewhere')).toMatchObject({ line: 'line-a', callerId: alice.id });
  });
});
