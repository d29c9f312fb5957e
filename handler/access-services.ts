/**
 * Who may call, and passwords changed after sign-up, as services: the ban in force on a name or
 * on the caller's address (db/bans.ts, made by `m2bbs sysop ban`), checking a caller's password
 * before they change it, and storing the new one's hash (db/caller-passwords.ts).
 */
import type { Logger } from '../common/log.js';
import { canonicalAddress } from '../common/remote-address.js';
import { hashWork, verifyPassword } from '../db/password.js';
import type { Store } from '../db/store.js';
import type { HashPacing } from './hash-pacing.js';
import type { LineContext } from './login-services.js';
import type { StoredOr } from './write-failure-log.js';
import { throwOn } from './write-failure-log.js';

/** A ban that refuses the call: on the name typed or on the address called from, with the sysop's reason. */
export interface BanNotice {
  readonly on: 'name' | 'address';
  readonly reason: string;
}

/** What the sysop's ban says when they gave no reason (sysop/ban.ts gives one always). */
const NO_REASON = 'no reason given';

/** The access services flows may call. */
export interface AccessServices {
  /** The ban in force on the caller's address, or on `name` ('' for the address alone). */
  banOf(name: string, at?: LineContext): BanNotice | undefined;
  /** True when `password` is the password of the caller called `name` now. */
  checkPassword(name: string, password: string, at?: LineContext): Promise<boolean>;
  /** Stores the caller's new password (a hash from hashNewPassword): any one-time password is gone. */
  setPassword(callerId: number, hash: string): void;
}

/** The caller's address spelled as the proxy's caps spell it (what bans, locks and hash pacing go by); none when the server did not say. */
export function addressOf(at: LineContext | undefined): string | undefined {
  return at?.remote === undefined ? undefined : canonicalAddress(at.remote);
}

/** The ban in force on the caller's address, or on `name` ('' for the address alone); a refusal is logged. */
export function banNotice(store: Store, log: Logger, name: string, at: LineContext | undefined): BanNotice | undefined {
  const remote = addressOf(at);
  const ban = (remote === undefined ? undefined : store.bans.banOf('address', remote)) ?? (name === '' ? undefined : store.bans.banOf('name', name));
  if (ban === undefined) return undefined;
  log.info('call refused: banned', { code: 'BBS_ERR_CALLER_BANNED', on: ban.kind, ...(name === '' ? {} : { caller: name }), remote: at?.remote });
  return { on: ban.kind, reason: ban.reason ?? NO_REASON };
}

/** Creates the access services over a store. */
export function createAccessServices(store: Store, log: Logger, storedOr: StoredOr, pacing?: HashPacing): AccessServices {
  return {
    banOf: (name, at) => banNotice(store, log, name, at),
    async checkPassword(name, password, at) {
      const found = store.findCaller(name);
      if (found === undefined) return false;
      // Paced like a login (hash-pacing.ts): the old password asked at every change is a hash too.
      await pacing?.turn(addressOf(at), hashWork(found.passwordHash), at?.signal);
      return verifyPassword(password, found.passwordHash);
    },
    setPassword(callerId, hash) {
      storedOr('setPassword', { callerId }, () => store.passwords.set(callerId, hash, false), throwOn);
      log.info('password changed', { callerId });
    },
  };
}
