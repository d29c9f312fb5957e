/**
 * Logging in and signing up as services, staged (the slow hash first, then the write, which a
 * durable conversation makes in the commit that journals it): wrong passwords counted by name and
 * address and the locks they set (db/login-throttle.ts), and the caller's line recorded, with an
 * order to hang up their other line when they are already on one (db/hang-up-orders.ts).
 */
import type { ErrorCode } from '../common/errors.js';
import { addressOf, banNotice, type BanNotice } from './access-services.js';
import type { Logger } from '../common/log.js';
import { hashPassword, hashWork, verifyPassword, type ScryptCost } from '../db/password.js';
import type { HashPacing } from './hash-pacing.js';
import type { Caller, Store } from '../db/store.js';
import type { LoginLock } from '../db/login-throttle.js';
import { throwOn, type StoredOr } from './write-failure-log.js';

const FAILED: ErrorCode = 'BBS_ERR_LOGIN_FAILED';
const LOCKED: ErrorCode = 'BBS_ERR_LOGIN_LOCKED';

/** Where a call comes from: the engine adds it to the arguments of LINE_SERVICES, the flow never does. */
export interface LineContext {
  /** The conversation's id (handler/call-identity.ts), whether or not it is journaled. */
  readonly line: string;
  /** The caller's address as the server saw it (`REMOTE_ADDR`), when it says. */
  readonly remote: string | undefined;
  /** Aborts when the call ends (the caller hung up): a hash waiting its turn is not made. */
  readonly signal?: AbortSignal;
}

/** What a login gave: the caller (and whether their other line was ordered hung up), or how many wrong passwords their name has now. */
export type LoginResult =
  | { readonly ok: true; readonly caller: Caller; readonly endedOtherLine: boolean; readonly mustChangePassword?: boolean }
  | { readonly ok: false; readonly failures: number }
  /** Banned since the name prompt checked (m2bbs sysop ban): refused with the ban's reason, nothing counted. */
  | { readonly ok: false; readonly failures: 0; readonly banned: BanNotice };

/**
 * A lock in force: on the name typed (from anywhere, or from the caller's address) or on the
 * caller's address, for about `minutes` more; or a sysop's ban of either, with its reason, for good;
 * or the name of a deleted account.
 */
export type LockNotice =
  | { readonly on: 'name' | 'address'; readonly minutes: number }
  | ({ readonly banned: true } & BanNotice)
  /** The name of an account the sysop deleted (m2bbs sysop delete-user): taken for good, nobody logs in or signs up with it. */
  | { readonly closed: true };

/** A new password hashed, or why it was not (its length outside the limits). */
export type NewPassword = { readonly hash: string } | { readonly problem: 'short' | 'long' };

/** How many wrong passwords lock a name, and an address (0: never), for how long. */
export interface LoginRules {
  readonly loginLockAfter: number;
  readonly loginLockMs: number;
  readonly loginAddressLockAfter: number;
}

/** The reason (and screen) of the hang-up order a second login makes. */
export const LOGGED_IN_ELSEWHERE = 'logged_in_elsewhere';

export interface LoginServiceOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly cost: ScryptCost;
  readonly clock: () => number;
  readonly rules: LoginRules;
  /** Counts a call (the caller's bookkeeping); see services.ts. */
  readonly countCall: (caller: Caller) => Caller;
  /** Runs a write, logging a failure before its fallback answers it (services.ts). */
  readonly storedOr: StoredOr;
  /** Paces the hashing of each address (none: no pacing, as behind a reverse proxy). */
  readonly pacing?: HashPacing | undefined;
}

/** The staged login services (each checks, then returns the write to make), and the lock a name prompt asks about. */
export interface LoginServices {
  /** The lock in force on `name`, or on the caller's address, if any. */
  loginLock(name: string, at?: LineContext): LockNotice | undefined;
  logIn(name: string, password: string, at?: LineContext): Promise<() => LoginResult>;
  register(name: string, password: string, at?: LineContext): Promise<() => Caller>;
  registerHashed(name: string, hash: string, at?: LineContext): Promise<() => Caller>;
  hashNewPassword(password: string, min: number, max: number, at?: LineContext): Promise<NewPassword>;
  samePassword(repeat: string, hash: string, at?: LineContext): Promise<boolean>;
}

/** Creates the login services over a store. */
export function createLoginServices(options: LoginServiceOptions): LoginServices {
  const { store, log, clock, rules } = options;
  const throttle = { nameLockAfter: rules.loginLockAfter, addressLockAfter: rules.loginAddressLockAfter, windowMs: rules.loginLockMs };
  // The flow asks for a known name only (a new one is offered a sign-up); a flow module asking for
  // one nobody has is refused after a hash all the same, so a refusal takes as long either way.
  let unknownHash: Promise<string> | undefined;

  // The caller waits their address's turn to hash (hash-pacing.ts); other callers do not.
  const pace = (at: LineContext | undefined, work: number): Promise<void> => options.pacing?.turn(addressOf(at), work, at?.signal) ?? Promise.resolve();

  // Bookkeeping that cannot be stored is logged and left: the caller is refused or let in all the same.
  const bookkeeping = <T>(op: string, fields: Record<string, unknown>, write: () => T, otherwise: T): T => options.storedOr(op, fields, write, () => otherwise);

  function refused(name: string, remote: string | undefined, lock: LoginLock | undefined, now: number): LoginResult {
    // Locked since the password prompt opened: refused in the same words, the password unread and not counted.
    if (lock !== undefined) {
      log.info('login refused: locked', { code: FAILED, caller: name, remote, on: lock.on, until: new Date(lock.until).toISOString() });
      return { ok: false, failures: store.throttle.failuresOf(name, now, throttle.windowMs) };
    }
    const counted = bookkeeping('loginFailed', { caller: name }, () => store.throttle.countFailure(name, remote, now, throttle), undefined);
    const failures = counted?.nameFailures ?? 1;
    log.info('login failed', { code: FAILED, caller: name, remote, failures });
    if (counted?.nameLockedUntil !== undefined) log.warn('login locked', { code: LOCKED, on: 'name', caller: name, remote, failures, until: new Date(counted.nameLockedUntil).toISOString() });
    // The name's failures from this address reached its limit (the name not locked by this one, or
    // locked already and this address spared): the pair's own count, and when its own lock lifts.
    if (counted?.pairLockedUntil !== undefined && counted.nameLockedUntil === undefined) log.warn('login locked', { code: LOCKED, on: 'pair', caller: name, remote, failures: counted.pairFailures, until: new Date(counted.pairLockedUntil).toISOString() });
    if (counted?.addressLockedUntil !== undefined) log.warn('login locked', { code: LOCKED, on: 'address', caller: name, remote, failures: counted.addressFailures, until: new Date(counted.addressLockedUntil).toISOString() });
    return { ok: false, failures };
  }

  // The caller is on this line now; their other line, if open, is ordered hung up.
  function takeLine(caller: Caller, at: LineContext | undefined, now: number): boolean {
    if (at === undefined) return false;
    const order = bookkeeping('takeLine', { caller: caller.name }, () => store.hangUps.takeLine(caller.id, at.line, now, LOGGED_IN_ELSEWHERE), undefined);
    if (order !== undefined) log.info('caller logged in on another line: the other is ordered hung up', { caller: caller.name, line: at.line, other: order.line, order: order.id });
    return order !== undefined;
  }

  // A new caller's row, written in the commit that journals it; their line recorded.
  function registration(name: string, hash: string, at: LineContext | undefined): () => Caller {
    return () => {
      const now = clock();
      const created = options.storedOr('register', { caller: name }, () => store.createCaller(name, hash, now), throwOn);
      takeLine(created, at, now);
      log.info('caller registered', { caller: created.name, remote: at?.remote });
      return { ...options.countCall(created), lastCallAt: null };
    };
  }

  return {
    loginLock(name: string, at?: LineContext): LockNotice | undefined {
      const ban = banNotice(store, log, name, at);
      if (ban !== undefined) return { banned: true, ...ban };
      if (store.passwords.closed(name)) return { closed: true };
      const now = clock();
      const lock = store.throttle.lockOf(name, addressOf(at), now);
      // A pair's lock is the name's from where the caller is: it says so, and asks for another name.
      return lock === undefined ? undefined : { on: lock.on === 'address' ? 'address' : 'name', minutes: Math.max(1, Math.ceil((lock.until - now) / 60_000)) };
    },
    async logIn(name: string, password: string, at?: LineContext): Promise<() => LoginResult> {
      const found = store.findCaller(name);
      const hash = found?.passwordHash ?? (await (unknownHash ??= hashPassword(String(Math.random()), options.cost)));
      await pace(at, hashWork(hash));
      const checked = (await verifyPassword(password, hash)) && found !== undefined;
      return () => {
        const now = clock();
        const remote = addressOf(at);
        // A caller deleted while the password was checked (m2bbs sysop delete-user) is nobody now:
        // their right password is refused as a wrong one, and no line of theirs opens.
        const right = checked && store.findCaller(found.name) !== undefined;
        // A ban made while the password was typed holds too: the right password does not get in.
        const ban = right ? banNotice(store, log, name, at) : undefined;
        if (ban !== undefined) return { ok: false, failures: 0, banned: ban };
        const lock = store.throttle.lockOf(name, remote, now);
        if (!right || lock !== undefined) return refused(name, remote, lock, now);
        bookkeeping('loginSucceeded', { caller: found.name }, () => store.throttle.succeeded(found.name, remote, now), undefined);
        const endedOtherLine = takeLine(found, at, now);
        // A one-time password (m2bbs sysop reset-password) works for this login only: the caller
        // chooses a new one next, and one who hangs up first asks the sysop again.
        const mustChangePassword = store.passwords.mustChange(found.id);
        if (mustChangePassword) options.storedOr('useOneTime', { caller: found.name }, () => store.passwords.useOneTime(found.id), throwOn);
        log.info('login', { caller: found.name, remote: at?.remote, ...(mustChangePassword ? { oneTimePassword: true } : {}) });
        // The caller's last call is the one before this, which the welcome screen reports.
        return { ok: true, caller: { ...options.countCall(found), lastCallAt: found.lastCallAt }, endedOtherLine, ...(mustChangePassword ? { mustChangePassword } : {}) };
      };
    },
    async register(name: string, password: string, at?: LineContext): Promise<() => Caller> {
      await pace(at, hashWork(options.cost));
      return registration(name, await hashPassword(password, options.cost), at);
    },
    // Staged like register, with nothing slow left to do first: the write is made in the commit that journals it.
    registerHashed: async (name: string, hash: string, at?: LineContext): Promise<() => Caller> => registration(name, hash, at),
    async hashNewPassword(password: string, min: number, max: number, at?: LineContext): Promise<NewPassword> {
      if (password.length < min) return { problem: 'short' };
      if (password.length > max) return { problem: 'long' };
      await pace(at, hashWork(options.cost));
      return { hash: await hashPassword(password, options.cost) };
    },
    async samePassword(repeat: string, hash: string, at?: LineContext): Promise<boolean> {
      await pace(at, hashWork(hash));
      return verifyPassword(repeat, hash);
    },
  };
}
