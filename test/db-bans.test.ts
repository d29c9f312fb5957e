/** Bans and callers' changed passwords in a real SQLite database with the real migrations. */
import { describe, expect, it } from 'vitest';
import { USED_ONE_TIME } from '../db/caller-passwords.js';
import { openDatabase } from '../db/open-database.js';
import { hashPassword, verifyPassword } from '../db/password.js';
import { createStore } from '../db/store.js';

const T = 1_700_000_000_000;
const CHEAP = { N: 16, r: 1, p: 1 };

describe('bans', () => {
  it('bans a name or an address, in any case, gives a ban in force a new reason, and lifts it once', () => {
    const { bans, close } = createStore(openDatabase(':memory:'));
    expect(bans.ban({ kind: 'name', value: 'Mallory', reason: 'spam', madeAt: T, madeBy: 'root' })).toBe(true);
    expect(bans.banOf('name', 'MALLORY')).toEqual({ kind: 'name', value: 'Mallory', reason: 'spam', madeAt: T, madeBy: 'root' });
    // The same value as an address is another ban.
    expect(bans.banOf('address', 'mallory')).toBeUndefined();
    expect(bans.ban({ kind: 'name', value: 'mallory', reason: 'still spam', madeAt: T + 1, madeBy: 'ops' })).toBe(false);
    expect(bans.list()).toEqual([{ kind: 'name', value: 'Mallory', reason: 'still spam', madeAt: T + 1, madeBy: 'ops' }]);
    expect(bans.ban({ kind: 'address', value: '203.0.113.9', reason: null, madeAt: T, madeBy: 'root' })).toBe(true);
    expect(bans.unban('name', 'MALLORY')).toBe(true);
    expect(bans.unban('name', 'mallory')).toBe(false);
    expect(bans.list().map((ban) => ban.value)).toEqual(['203.0.113.9']);
    close();
  });
});

describe("callers' passwords", () => {
  it('a one-time password must be changed, stops verifying once used, and a new password clears it', async () => {
    const store = createStore(openDatabase(':memory:'));
    const bob = store.createCaller('bob', await hashPassword('old-one', CHEAP), T);
    expect(store.passwords.mustChange(bob.id)).toBe(false);
    expect(store.passwords.set(bob.id, await hashPassword('one-time', CHEAP), true)).toBe(true);
    expect(store.passwords.mustChange(bob.id)).toBe(true);
    expect(await verifyPassword('one-time', store.findCaller('bob')?.passwordHash ?? '')).toBe(true);
    store.passwords.useOneTime(bob.id);
    expect(store.findCaller('bob')?.passwordHash).toBe(USED_ONE_TIME);
    expect(await verifyPassword('one-time', USED_ONE_TIME)).toBe(false);
    expect(store.passwords.mustChange(bob.id)).toBe(true);
    expect(store.passwords.set(bob.id, await hashPassword('new-one', CHEAP), false)).toBe(true);
    expect(store.passwords.mustChange(bob.id)).toBe(false);
    // Using a one-time password is a no-op for a caller who has none.
    store.passwords.useOneTime(bob.id);
    expect(await verifyPassword('new-one', store.findCaller('bob')?.passwordHash ?? '')).toBe(true);
    expect(store.passwords.set(9999, 'x', false)).toBe(false);
    store.close();
  });
});
