/** The limits a conversation enforces, said to callers up front. */
export interface Limits {
  readonly minNameLength: number;
  readonly maxNameLength: number;
  readonly minPasswordLength: number;
  readonly maxPasswordLength: number;
  readonly maxTries: number;
  readonly maxLines: number;
  readonly maxLineLength: number;
  readonly pageSize: number;
  readonly badPasswordDelayMs: number;
  /** Wrong passwords for one name within `loginLockMs` that lock it for `loginLockMs`. */
  readonly loginLockAfter: number;
  readonly loginLockMs: number;
  /** Wrong passwords from one address (any names) that lock it; 0: addresses are never locked. */
  readonly loginAddressLockAfter: number;
  /** Messages, replies, mail and wall lines one caller may store in an hour; 0: no limit. */
  readonly writesPerHour: number;
}

/** An address is locked after this many times the failures that lock a name, unless configured. */
export const ADDRESS_FACTOR = 4;

/** The limits a backend uses unless configured otherwise. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  minNameLength: 2,
  maxNameLength: 24,
  minPasswordLength: 6,
  maxPasswordLength: 128,
  maxTries: 3,
  maxLines: 20,
  maxLineLength: 200,
  pageSize: 5,
  badPasswordDelayMs: 2000,
  loginLockAfter: 5,
  loginLockMs: 15 * 60_000,
  loginAddressLockAfter: 5 * ADDRESS_FACTOR,
  writesPerHour: 30,
});
