import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import type { Effect } from '../handler/effects.js';
import { bbs } from '../handler/flows/bbs.js';
import { badPasswordDelay, logIn } from '../handler/flows/login.js';
import { checkName } from '../handler/flows/names.js';
import { changePassword } from '../handler/flows/password.js';
import { TEST_LIMITS, createHarness } from './support/harness.js';

const caller = { id: 7, name: 'zed', createdAt: 0, lastCallAt: null, calls: 3 };

describe('logIn, stepped effect by effect', () => {
  it('welcomes, asks the name, asks the password without echo, and checks it', () => {
    const flow = logIn(TEST_LIMITS);
    expect(flow.next().value).toEqual<Effect>({ kind: 'show', screen: 'welcome', vars: undefined, final: false });
    // Each name prompt is where a durable conversation can start over (nothing before it replays).
    expect(flow.next().value).toEqual<Effect>({ kind: 'checkpoint', caller: undefined, menu: undefined });
    // A caller from a banned address is refused before typing anything (the engine adds the address).
    expect(flow.next().value).toEqual<Effect>({ kind: 'call', service: 'banOf', args: [''] });
    expect(flow.next(undefined).value).toMatchObject({ kind: 'ask', screen: 'name', echo: true });
    // A locked name is told so before any password is asked.
    expect(flow.next('  zed ').value).toEqual<Effect>({ kind: 'call', service: 'loginLock', args: ['zed'] });
    expect(flow.next(undefined).value).toMatchObject({ kind: 'ask', screen: 'password', echo: false });
    expect(flow.next('secret1').value).toEqual<Effect>({ kind: 'call', service: 'findCaller', args: ['zed'] });
    expect(flow.next(caller).value).toEqual<Effect>({ kind: 'call', service: 'logIn', args: ['zed', 'secret1'] });
    expect(flow.next({ ok: true, caller, endedOtherLine: false })).toEqual({ done: true, value: caller });
  });

  it('tells a caller who logged in again that their other call was ended', () => {
    const flow = logIn(TEST_LIMITS);
    for (const input of [undefined, undefined, undefined, undefined, 'zed', undefined, 'secret1', caller]) flow.next(input);
    expect(flow.next({ ok: true, caller, endedOtherLine: true }).value).toEqual<Effect>({ kind: 'show', screen: 'other_line_ended', vars: undefined, final: false });
    expect(flow.next()).toEqual({ done: true, value: caller });
  });

  it('says a locked name is locked, without asking its password, and asks for a name again', () => {
    const flow = logIn(TEST_LIMITS);
    for (const input of [undefined, undefined, undefined, undefined]) flow.next(input);
    flow.next('zed');
    expect(flow.next({ on: 'name', minutes: 12 }).value).toEqual<Effect>({ kind: 'show', screen: 'name_locked', vars: { name: 'zed', minutes: 12 }, final: false });
    expect(flow.next().value).toEqual<Effect>({ kind: 'checkpoint', caller: undefined, menu: undefined });
    expect(flow.next().value).toEqual<Effect>({ kind: 'call', service: 'banOf', args: [''] });
    expect(flow.next(undefined).value).toMatchObject({ kind: 'ask', screen: 'name' });
  });

  it('hangs up on a locked address', () => {
    const flow = logIn(TEST_LIMITS);
    for (const input of [undefined, undefined, undefined, undefined]) flow.next(input);
    flow.next('zed');
    expect(flow.next({ on: 'address', minutes: 3 }).value).toEqual<Effect>({ kind: 'show', screen: 'address_locked', vars: { minutes: 3 }, final: true });
    expect(flow.next()).toEqual({ done: true, value: undefined });
  });

  it('pauses, then hangs up with bad_pass on a wrong password', () => {
    const flow = logIn({ ...TEST_LIMITS, badPasswordDelayMs: 1500 });
    // The welcome, the checkpoint, the address's ban check.
    flow.next();
    flow.next();
    flow.next();
    flow.next();
    flow.next('zed');
    flow.next(undefined);
    flow.next('wrong');
    flow.next(caller);
    expect(flow.next({ ok: false, failures: 1 }).value).toEqual<Effect>({ kind: 'sleep', ms: 1500 });
    expect(flow.next().value).toEqual<Effect>({ kind: 'show', screen: 'bad_pass', vars: undefined, final: true });
    expect(flow.next()).toEqual({ done: true, value: undefined });
  });

  it('pauses longer the more wrong passwords the name has had lately, up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((failures) => badPasswordDelay(2000, failures))).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(badPasswordDelay(0, 9)).toBe(0);
    expect(badPasswordDelay(45_000, 3)).toBe(45_000);
  });

  it('refuses reserved and malformed names before asking for a password', () => {
    const flow = logIn(TEST_LIMITS);
    // The welcome, the checkpoint, the address's ban check.
    flow.next();
    flow.next();
    flow.next();
    flow.next();
    expect(flow.next('SysOp').value).toMatchObject({ kind: 'show', screen: 'reserved_name', vars: { name: 'SysOp' } });
    expect(flow.next().value).toEqual<Effect>({ kind: 'checkpoint', caller: undefined, menu: undefined });
    expect(flow.next().value).toEqual<Effect>({ kind: 'call', service: 'banOf', args: [''] });
    expect(flow.next(undefined).value).toMatchObject({ kind: 'ask', screen: 'name' });
    expect(flow.next('no spaces').value).toMatchObject({ kind: 'show', screen: 'bad_name', vars: { min: 2, max: 24 } });
  });

  it('asks "Sign up?" again after an answer that is neither yes nor no, and signs up on a plain yes only', () => {
    const flow = logIn(TEST_LIMITS);
    // The welcome, the checkpoint, the address's ban check.
    flow.next();
    flow.next();
    flow.next();
    flow.next();
    flow.next('newcomer');
    flow.next(undefined);
    // A new name's password is hashed at once, in the step that read it: nothing left pending.
    expect(flow.next('secret1').value).toEqual<Effect>({ kind: 'call', service: 'findCaller', args: ['newcomer'] });
    expect(flow.next(undefined).value).toEqual<Effect>({ kind: 'call', service: 'hashNewPassword', args: ['secret1', TEST_LIMITS.minPasswordLength, TEST_LIMITS.maxPasswordLength] });
    expect(flow.next({ hash: 'scrypt$hash' }).value).toMatchObject({ kind: 'ask', screen: 'new_user', vars: { name: 'newcomer' } });
    // The password typed again where the question was: told what it takes, asked again, no account made.
    expect(flow.next('secret1').value).toMatchObject({ kind: 'show', screen: 'new_user_unclear', vars: { name: 'newcomer' } });
    expect(flow.next().value).toMatchObject({ kind: 'ask', screen: 'new_user', vars: { name: 'newcomer' } });
    expect(flow.next('2').value).toMatchObject({ kind: 'show', screen: 'new_user_unclear' });
    expect(flow.next().value).toMatchObject({ kind: 'ask', screen: 'new_user' });
    expect(flow.next('y').value).toMatchObject({ kind: 'ask', screen: 'repeat_pass', echo: false });
    // The repeat is checked against the hash, and the account made with the hash, never the password.
    expect(flow.next('secret1').value).toEqual<Effect>({ kind: 'call', service: 'samePassword', args: ['secret1', 'scrypt$hash'] });
    expect(flow.next(true).value).toEqual<Effect>({ kind: 'call', service: 'registerHashed', args: ['newcomer', 'scrypt$hash'] });
  });

  it('takes three answers that are neither yes nor no as no, and asks the name again', () => {
    const flow = logIn(TEST_LIMITS);
    // The welcome, the checkpoint, the address's ban check.
    flow.next();
    flow.next();
    flow.next();
    flow.next();
    flow.next('newcomer');
    flow.next(undefined);
    flow.next('secret1');
    flow.next(undefined);
    flow.next({ hash: 'scrypt$hash' });
    // Each unclear answer but the last is told what the question takes.
    expect(flow.next('what').value).toMatchObject({ kind: 'show', screen: 'new_user_unclear' });
    flow.next();
    expect(flow.next('huh').value).toMatchObject({ kind: 'show', screen: 'new_user_unclear' });
    flow.next();
    expect(flow.next('eh').value).toEqual<Effect>({ kind: 'checkpoint', caller: undefined, menu: undefined });
    expect(flow.next().value).toEqual<Effect>({ kind: 'call', service: 'banOf', args: [''] });
    expect(flow.next(undefined).value).toMatchObject({ kind: 'ask', screen: 'name' });
  });

  it('a service error thrown into the flow surfaces from it', () => {
    const flow = logIn(TEST_LIMITS);
    // The welcome, the checkpoint, the address's ban check.
    flow.next();
    flow.next();
    flow.next();
    flow.next();
    flow.next('zed');
    flow.next(undefined);
    flow.next('pw');
    expect(() => flow.throw(new Error('disk on fire'))).toThrow('disk on fire');
  });
});

describe('bans and one-time passwords, stepped', () => {
  // Up to the name prompt, `zed` typed: the effect that follows is the lock (and ban) check.
  const toNameCheck = (): ReturnType<typeof logIn> => {
    const flow = logIn(TEST_LIMITS);
    for (const input of [undefined, undefined, undefined, undefined]) flow.next(input);
    expect(flow.next('zed').value).toEqual<Effect>({ kind: 'call', service: 'loginLock', args: ['zed'] });
    return flow;
  };

  it('hangs up at once on a caller from a banned address, with the reason', () => {
    const flow = logIn(TEST_LIMITS);
    flow.next();
    flow.next();
    flow.next();
    expect(flow.next({ on: 'address', reason: 'bots' }).value).toEqual<Effect>({ kind: 'show', screen: 'banned', vars: { reason: 'bots' }, final: true });
    expect(flow.next()).toEqual({ done: true, value: undefined });
  });

  it('hangs up on a banned name before asking its password', () => {
    const flow = toNameCheck();
    expect(flow.next({ banned: true, on: 'name', reason: 'spam' }).value).toEqual<Effect>({ kind: 'show', screen: 'banned', vars: { reason: 'spam' }, final: true });
    expect(flow.next()).toEqual({ done: true, value: undefined });
  });

  it('refuses a deleted caller\'s name as taken before any password, back at the name prompt', () => {
    const flow = toNameCheck();
    expect(flow.next({ closed: true }).value).toEqual<Effect>({ kind: 'show', screen: 'name_taken', vars: { name: 'zed' }, final: false });
    expect(flow.next().value).toEqual<Effect>({ kind: 'checkpoint', caller: undefined, menu: undefined });
  });

  it('hangs up on a name banned while its password was typed, without the wrong-password pause', () => {
    const flow = toNameCheck();
    flow.next(undefined);
    flow.next('secret1');
    flow.next(caller);
    expect(flow.next({ ok: false, failures: 0, banned: { on: 'name', reason: 'spam' } }).value).toEqual<Effect>({ kind: 'show', screen: 'banned', vars: { reason: 'spam' }, final: true });
  });

  it('has a caller who logged in with a one-time password choose a new one, hashed as it is typed, before going on', () => {
    const flow = toNameCheck();
    flow.next(undefined);
    flow.next('one-time-pw');
    flow.next(caller);
    expect(flow.next({ ok: true, caller, endedOtherLine: false, mustChangePassword: true }).value).toEqual<Effect>({ kind: 'show', screen: 'must_change_password', vars: { name: 'zed' }, final: false });
    expect(flow.next().value).toMatchObject({ kind: 'ask', screen: 'new_password', echo: false });
    expect(flow.next('brand-new').value).toEqual<Effect>({ kind: 'call', service: 'hashNewPassword', args: ['brand-new', TEST_LIMITS.minPasswordLength, TEST_LIMITS.maxPasswordLength] });
    expect(flow.next({ hash: 'scrypt$new' }).value).toMatchObject({ kind: 'ask', screen: 'repeat_pass', echo: false });
    expect(flow.next('brand-new').value).toEqual<Effect>({ kind: 'call', service: 'samePassword', args: ['brand-new', 'scrypt$new'] });
    expect(flow.next(true).value).toEqual<Effect>({ kind: 'call', service: 'setPassword', args: [7, 'scrypt$new'] });
    expect(flow.next(undefined).value).toEqual<Effect>({ kind: 'show', screen: 'password_changed', vars: undefined, final: false });
    expect(flow.next()).toEqual({ done: true, value: caller });
  });

  it('changes nothing when the caller at the menu gives a wrong old password', () => {
    const flow = changePassword(caller, { ...TEST_LIMITS, badPasswordDelayMs: 1500 });
    expect(flow.next().value).toMatchObject({ kind: 'ask', screen: 'old_password', echo: false });
    expect(flow.next('guess').value).toEqual<Effect>({ kind: 'call', service: 'checkPassword', args: ['zed', 'guess'] });
    expect(flow.next(false).value).toEqual<Effect>({ kind: 'sleep', ms: 1500 });
    expect(flow.next().value).toEqual<Effect>({ kind: 'show', screen: 'wrong_old_password', vars: undefined, final: false });
    expect(flow.next().done).toBe(true);
  });
});

describe('the whole call, stepped', () => {
  it('tells the engine who logged in right after the password checks out', () => {
    const flow = bbs(TEST_LIMITS);
    // The welcome, the checkpoint, the address's ban check.
    flow.next();
    flow.next();
    flow.next();
    flow.next();
    flow.next('zed');
    flow.next(undefined);
    flow.next('secret1');
    expect(flow.next(caller).value).toEqual<Effect>({ kind: 'call', service: 'logIn', args: ['zed', 'secret1'] });
    expect(flow.next({ ok: true, caller, endedOtherLine: false }).value).toEqual<Effect>({ kind: 'identify', name: 'zed' });
    // A durable conversation's journal notes who logged in, for a restart at the main menu.
    expect(flow.next().value).toEqual<Effect>({ kind: 'checkpoint', caller, menu: undefined });
    expect(flow.next().value).toEqual<Effect>({ kind: 'call', service: 'countUnreadMail', args: [7] });
  });
});

describe('caller names', () => {
  it.each([
    ['ab', 'ok'],
    ['a', 'malformed'],
    ['x'.repeat(24), 'ok'],
    ['x'.repeat(25), 'malformed'],
    ['zed_shaw-2', 'ok'],
    ['zed shaw', 'malformed'],
    ['zéd', 'malformed'],
    ['ALL', 'reserved'],
    ['new', 'reserved'],
    ['Sysop', 'reserved'],
    ['logging_in', 'reserved'],
    ['Logging-In', 'reserved'],
    ['logging__in', 'reserved'],
    ['sys_op', 'reserved'],
    ['logger_in', 'ok'],
  ] as const)('%s is %s', (name, verdict) => {
    expect(checkName(name, TEST_LIMITS)).toBe(verdict);
  });
});

describe('registration, as a caller sees it', () => {
  it('asks the password twice and ends the call politely after three mismatches', async () => {
    const h = createHarness();
    const c = h.caller('1');
    await c.dial();
    await c.say('newbie');
    await c.say('first-pass');
    expect((await c.say('y'))?.msg).toContain('same password again');
    await c.say('other-pass');
    await c.say('first-pass');
    await c.say('mismatch2');
    await c.say('first-pass');
    const last = await c.say('mismatch3');
    expect(last).toBeUndefined();
    expect(c.closed).toBe(true);
    expect(c.replies.at(-1)).toMatchObject({ type: 'exit', msg: expect.stringContaining('too many tries') });
    expect(c.transcript()).toContain('Tries left: 1.');
    expect(h.services.findCaller('newbie')).toBeUndefined();
    h.close();
  });

  it('refuses a name that differs from a registered one only by case, by asking its password', async () => {
    const h = createHarness();
    await h.services.register('Zed', 'secret-1');
    const c = h.caller('2');
    await c.dial();
    await c.say('zED');
    expect(await c.say('wrong-pass')).toBeUndefined();
    expect(c.replies.at(-1)).toMatchObject({ type: 'exit', msg: expect.stringContaining('not the right password') });
    h.close();
  });

  it('lets a caller who mistyped a new name go back instead of signing up', async () => {
    const h = createHarness();
    const c = h.caller('3');
    await c.dial();
    await c.say('zde');
    await c.say('whatever1');
    const back = await c.say('n');
    expect(back?.msg).toContain("What's your name?");
    h.close();
  });

  it('never shows a password in any reply', async () => {
    const h = createHarness();
    const c = h.caller('4');
    await c.dial();
    await c.say('carol');
    await c.say('hunter22');
    await c.say('y');
    await c.say('hunter22');
    expect(JSON.stringify(c.replies)).not.toContain('hunter22');
    expect(c.transcript()).not.toContain('hunter22');
    h.close();
  });
});

describe("the caller's address, as the login throttle counts it", () => {
  it('is REMOTE_ADDR, which Mongrel2 sets itself, never an x-forwarded-for header a client can send', async () => {
    const db = openDatabase(':memory:');
    const h = createHarness({ store: createStore(db) });
    await h.services.register('zed', 'password1');
    const addresses = (): string[] => db.prepare<[], string>("SELECT key FROM login_failures WHERE kind = 'address' ORDER BY key").pluck().all();

    const forged = h.caller('1', { 'x-forwarded-for': '203.0.113.9' });
    await forged.dial();
    await forged.say('zed');
    expect(await forged.say('wrong-password')).toBeUndefined();
    expect(addresses()).toEqual([]);

    const behindMongrel2 = h.caller('2', { REMOTE_ADDR: '198.51.100.4', 'x-forwarded-for': '203.0.113.9' });
    await behindMongrel2.dial();
    await behindMongrel2.say('zed');
    expect(await behindMongrel2.say('wrong-password')).toBeUndefined();
    expect(addresses()).toEqual(['198.51.100.4']);
    h.close();
  });
});
