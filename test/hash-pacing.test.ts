/**
 * Password hashing paced per address (handler/hash-pacing.ts): an address has a burst of hashes at
 * once, then its turns come at the pace; other addresses do not wait for it, and a cheap hash
 * counts for what it costs. In a backend, a caller from an address that hashed its fill waits at
 * the password while a caller from another address signs up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { hashWork } from '../db/password.js';
import { createStore } from '../db/store.js';
import { HashPacing } from '../handler/hash-pacing.js';
import { Journal } from '../handler/journal.js';
import type { LineContext } from '../handler/login-services.js';
import { createServices } from '../handler/services.js';
import { until } from './support/process-tree.js';
import { CHEAP_SCRYPT, createHarness, TEST_LIMITS } from './support/harness.js';

describe('hash pacing', () => {
  it('lets an address hash its burst at once, then books its turns at the pace; another address waits for none', async () => {
    let now = 1_000_000;
    const waits: [string, number][] = [];
    let waiting = '';
    const pacing = new HashPacing({ burst: 3, perMinute: 60 }, () => now, (ms) => {
      waits.push([waiting, ms]);
      return Promise.resolve();
    });
    const turn = async (address: string | undefined, work = 1): Promise<void> => {
      waiting = address ?? 'none';
      await pacing.turn(address, work);
    };
    for (let i = 0; i < 5; i++) await turn('10.0.0.1');
    await turn('10.0.0.2');
    await turn(undefined, 100);
    // The 4th and 5th of 10.0.0.1 wait one and two seconds (one hash a second after a burst of 3).
    expect(waits).toEqual([['10.0.0.1', 1000], ['10.0.0.1', 2000]]);
    // Booked at most a burst ahead (3 s here): past it a hash is refused at once, nothing booked.
    for (let i = 0; i < 6; i++) await turn('10.0.0.9');
    expect(waits.slice(2).map(([, ms]) => ms)).toEqual([1000, 2000, 3000]);
    await expect(turn('10.0.0.9')).rejects.toMatchObject({ code: 'BBS_ERR_HASH_PACED' });
    waits.splice(2);
    // A turn whose caller hangs up while it waits is handed back: the next caller waits no longer for it.
    const booked: number[] = [];
    const early = new HashPacing({ burst: 1, perMinute: 60 }, () => now, (ms, signal) => {
      booked.push(ms);
      return signal === undefined ? Promise.resolve() : new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    });
    await early.turn('10.0.0.8', 1);
    const hangUp = new AbortController();
    const queued = early.turn('10.0.0.8', 1, hangUp.signal);
    hangUp.abort(new Error('hung up'));
    await expect(queued).rejects.toThrow('hung up');
    await early.turn('10.0.0.8', 1);
    expect(booked).toEqual([1000, 1000]);
    now += 5000;
    await turn('10.0.0.1');
    expect(waits).toHaveLength(2);
    // A cheap hash (the bench's N=16 accounts) counts for what it costs: thousands fit in the burst.
    const cheap = hashWork({ N: 16, r: 1, p: 1 });
    expect(cheap).toBeLessThan(0.001);
    for (let i = 0; i < 2000; i++) await turn('10.0.0.3', cheap);
    expect(waits).toHaveLength(2);
    expect(hashWork('scrypt$16384$8$1$bad')).toBe(0);
  });

  it('makes a caller from an address past its fill wait at the password, while one from another address signs up', async () => {
    const store = createStore(openDatabase(':memory:'));
    // A fill of three cheap hashes (a sign-up: the name's password checked, hashed, repeated),
    // then one a minute: the next waits about a minute.
    const paced = createServices({ store, log: createLogger('silent'), scryptCost: CHEAP_SCRYPT, login: TEST_LIMITS, hashPace: { burst: 3 * hashWork(CHEAP_SCRYPT), perMinute: hashWork(CHEAP_SCRYPT) } });
    const h = createHarness({ store, services: () => paced });
    const first = h.caller('1', { REMOTE_ADDR: '10.0.0.1' });
    await first.dial();
    await first.say('firstuser');
    await first.say('password1');
    await first.say('y');
    // The address's fill is used up.
    await first.say('password1');
    expect(first.transcript()).toContain('MOTD');
    const second = h.caller('2', { REMOTE_ADDR: '10.0.0.1' });
    await second.dial();
    await second.say('seconduser');
    const waited = (async () => {
      await second.say('password2');
      await second.say('y');
      await second.say('password2');
    })();
    const other = h.caller('3', { REMOTE_ADDR: '10.0.0.2' });
    await other.dial();
    await other.say('otheruser');
    await other.say('password3');
    await other.say('y');
    await other.say('password3');
    expect(other.transcript()).toContain('MOTD');
    // 10.0.0.1's second caller is still signing up, their password's hash waiting its turn.
    expect(await Promise.race([waited.then(() => 'signed up'), Promise.resolve('waiting')])).toBe('waiting');
    expect(second.transcript()).not.toContain('MOTD');
    // Two more wait their turns (booked three hashes ahead in all); the next is told and hung up.
    for (const conn of ['4', '5']) {
      const queued = h.caller(conn, { REMOTE_ADDR: '10.0.0.1' });
      await queued.dial();
      await queued.say(`queued${conn}`);
      void queued.say('password4');
    }
    const refused = h.caller('6', { REMOTE_ADDR: '10.0.0.1' });
    await refused.dial();
    await refused.say('toomany');
    await refused.say('password6');
    expect(refused.closed).toBe(true);
    expect(refused.replies.at(-1)?.msg).toContain('Too many passwords are being checked from your address just now');
    h.close();
  });
  it('hands a waiting turn back when the call leaves this backend still open (a drain), not only when it ends', async () => {
    const store = createStore(openDatabase(':memory:'));
    const paced = createServices({ store, log: createLogger('silent'), scryptCost: CHEAP_SCRYPT, login: TEST_LIMITS, hashPace: { burst: 0.5 * hashWork(CHEAP_SCRYPT), perMinute: hashWork(CHEAP_SCRYPT) } });
    let seen: LineContext | undefined;
    const h = createHarness({
      store,
      journal: new Journal({ store: store.journal, owner: 'A', log: createLogger('silent'), now: Date.now }),
      services: () => ({ ...paced, hashNewPassword: (password, min, max, at) => ((seen = at), paced.hashNewPassword(password, min, max, at)) }),
    });
    const caller = h.caller('1', { REMOTE_ADDR: '10.0.0.1' });
    await caller.dial();
    await caller.say('newcomer');
    void caller.say('password1').then(() => caller.say('y'));
    await until(() => seen, 'the password hashed');
    expect(seen?.signal?.aborted).toBe(false);
    // The backend drains: the call is left open for another backend, and its turn here given back.
    h.engine.endAll('draining', true);
    expect(seen?.signal?.aborted).toBe(true);
    h.close();
  });

  it('gives an address one burst on the board however many backends it reaches, and keeps pacing when the board cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-hash-pacing-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bbs.db');
    let now = 1_000_000;
    const waits: [string, number][] = [];
    // Two backends on one board: each its own connection to the database, as two processes.
    const stores = ['A', 'B'].map(() => createStore(openDatabase(file)));
    onTestFinished(() => stores.forEach((store) => store.close()));
    const [a, b] = ['A', 'B'].map((name, i) => new HashPacing({ burst: 2, perMinute: 60 }, () => now, (ms) => (waits.push([name, ms]), Promise.resolve()), stores[i]?.hashBuckets)) as [HashPacing, HashPacing];
    await a.turn('10.0.0.1', 1);
    await b.turn('10.0.0.1', 1);
    expect(waits).toEqual([]);
    // The burst is spent on the board: the next turns wait on either backend (one a second).
    await b.turn('10.0.0.1', 1);
    await a.turn('10.0.0.1', 1);
    expect(waits).toEqual([['B', 1000], ['A', 2000]]);
    await expect(b.turn('10.0.0.1', 1)).rejects.toMatchObject({ code: 'BBS_ERR_HASH_PACED' });
    // Another address has its own burst.
    await b.turn('10.0.0.2', 1);
    expect(waits).toHaveLength(2);
    expect(stores[0]?.hashBuckets.size()).toBe(2);
    // A minute on, both buckets are whole again: forgotten with the next turn.
    now += 120_000;
    await a.turn('10.0.0.3', 1);
    expect(stores[1]?.hashBuckets.size()).toBe(1);
    // A board whose database cannot be written (here closed) still paces, in the process.
    stores[0]?.close();
    await a.turn('10.0.0.4', 1);
    await a.turn('10.0.0.4', 1);
    await a.turn('10.0.0.4', 1);
    expect(waits.slice(2)).toEqual([['A', 1000]]);
  });

  it('makes a caller wait on one backend for the hashing their address had on another, while another address signs up there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-hash-pacing-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bbs.db');
    const pace = { burst: 3 * hashWork(CHEAP_SCRYPT), perMinute: hashWork(CHEAP_SCRYPT) };
    const [onA, onB] = ['A', 'B'].map(() => {
      const store = createStore(openDatabase(file));
      const services = createServices({ store, log: createLogger('silent'), scryptCost: CHEAP_SCRYPT, login: TEST_LIMITS, hashPace: pace });
      const h = createHarness({ store, services: () => services });
      onTestFinished(() => h.close());
      return h;
    }) as [ReturnType<typeof createHarness>, ReturnType<typeof createHarness>];
    // A sign-up on backend A spends the address's fill of three hashes.
    const first = onA.caller('1', { REMOTE_ADDR: '10.0.0.1' });
    await first.dial();
    for (const line of ['firstuser', 'password1', 'y', 'password1']) await first.say(line);
    expect(first.transcript()).toContain('MOTD');
    // The same address on backend B waits at the password; another address signs up there.
    const second = onB.caller('2', { REMOTE_ADDR: '10.0.0.1' });
    await second.dial();
    await second.say('seconduser');
    const waited = (async () => {
      for (const line of ['password2', 'y', 'password2']) await second.say(line);
      return 'signed up';
    })();
    const other = onB.caller('3', { REMOTE_ADDR: '10.0.0.2' });
    await other.dial();
    for (const line of ['otheruser', 'password3', 'y', 'password3']) await other.say(line);
    expect(other.transcript()).toContain('MOTD');
    expect(await Promise.race([waited, Promise.resolve('waiting')])).toBe('waiting');
    expect(second.transcript()).not.toContain('MOTD');
  });
});
