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
  /** Wrong passwords for one name within `loginLockMs` that lock it for `loginLockMs` (an address: 4 times as many). */
  readonly loginLockAfter: number;
  readonly loginLockMs: number;
}

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
});
