/** The flags of a backend's limits, shared by `m2bbs handler` and `m2bbs start`, which passes them on. */
import type { ConfigProblems } from '../common/config-problems.js';
import type { FlagTable, FlagValues } from '../common/flag-table.js';
import { DEFAULT_LINE_LIMITS, type LineLimits } from './line-limits.js';
import { ADDRESS_FACTOR, DEFAULT_LIMITS, type Limits } from './limits.js';

/** Every limit a backend can be given, each with its environment variable. */
export const LIMIT_FLAGS = {
  'max-lines': { kind: 'integer', arg: 'N', min: 1, max: 1000, default: DEFAULT_LIMITS.maxLines, env: 'M2BBS_MAX_LINES', help: 'lines in a message or mail' },
  'max-line-length': {
    kind: 'integer',
    arg: 'N',
    min: 20,
    max: 10_000,
    default: DEFAULT_LIMITS.maxLineLength,
    env: 'M2BBS_MAX_LINE_LENGTH',
    help: 'characters in a message line; longer lines are wrapped',
  },
  'page-size': { kind: 'integer', arg: 'N', min: 1, max: 100, default: DEFAULT_LIMITS.pageSize, env: 'M2BBS_PAGE_SIZE', help: 'messages shown before "more?"' },
  'bad-pass-delay-ms': {
    kind: 'integer',
    arg: 'MS',
    min: 0,
    max: 60_000,
    default: DEFAULT_LIMITS.badPasswordDelayMs,
    env: 'M2BBS_BAD_PASS_DELAY_MS',
    help: 'pause before hanging up on a wrong password',
  },
  'login-lock-after': {
    kind: 'integer',
    arg: 'N',
    min: 1,
    max: 1000,
    default: DEFAULT_LIMITS.loginLockAfter,
    env: 'M2BBS_LOGIN_LOCK_AFTER',
    help: 'wrong passwords for one name within the lock time that lock it',
  },
  'login-address-lock-after': {
    kind: 'integer',
    arg: 'N',
    min: 0,
    max: 100_000,
    defaultText: `${ADDRESS_FACTOR} × --login-lock-after`,
    env: 'M2BBS_LOGIN_ADDRESS_LOCK_AFTER',
    help: 'wrong passwords from one address (any names) within the lock time that lock it (0: never lock an address; raise it or use 0 behind a reverse proxy, where every caller shares its address)',
  },
  'login-lock-minutes': {
    kind: 'integer',
    arg: 'M',
    min: 1,
    max: 10_080,
    default: DEFAULT_LIMITS.loginLockMs / 60_000,
    env: 'M2BBS_LOGIN_LOCK_MINUTES',
    help: 'how long wrong passwords count, and how long a lock lasts',
  },
  'login-lock-seconds': {
    kind: 'integer',
    arg: 'S',
    min: 0,
    max: 604_800,
    default: 0,
    env: 'M2BBS_LOGIN_LOCK_SECONDS',
    help: 'the same in seconds, instead of --login-lock-minutes when not 0 (a test that waits for a lock to lift)',
  },
  'writes-per-hour': {
    kind: 'integer',
    arg: 'N',
    min: 0,
    max: 1_000_000,
    default: DEFAULT_LIMITS.writesPerHour,
    env: 'M2BBS_WRITES_PER_HOUR',
    help: 'messages, replies and mail one caller may store in an hour; past it they are told, before they type, when they can write again (0: no limit)',
  },
  'max-callers': {
    kind: 'integer',
    arg: 'N',
    min: 0,
    max: 1_000_000,
    default: DEFAULT_LINE_LIMITS.maxCallers,
    env: 'M2BBS_MAX_CALLERS',
    help: 'callers at once; the next one gets busy (0: no limit)',
  },
  'idle-before-login': {
    kind: 'integer',
    arg: 'S',
    min: 0,
    max: 86_400,
    default: DEFAULT_LINE_LIMITS.idleBeforeLoginSeconds,
    env: 'M2BBS_IDLE_BEFORE_LOGIN',
    help: 'silent seconds allowed at a prompt before login (0: never hang up)',
  },
  'idle-before-typing': {
    kind: 'integer',
    arg: 'S',
    min: 0,
    max: 86_400,
    default: DEFAULT_LINE_LIMITS.idleBeforeTypingSeconds ?? 0,
    env: 'M2BBS_IDLE_BEFORE_TYPING',
    help: 'seconds a caller who has typed nothing at all since calling keeps a line; at most --idle-before-login, a longer value is cut to it (0: only --idle-before-login applies)',
  },
  'login-within': {
    kind: 'integer',
    arg: 'S',
    min: 0,
    max: 86_400,
    default: DEFAULT_LINE_LIMITS.loginWithinSeconds ?? 0,
    env: 'M2BBS_LOGIN_WITHIN',
    help: 'seconds a caller may take to log in or sign up, typing or not, before the line is hung up (0: no limit)',
  },
  'idle-after-login': {
    kind: 'integer',
    arg: 'S',
    min: 0,
    max: 86_400,
    default: DEFAULT_LINE_LIMITS.idleAfterLoginSeconds,
    env: 'M2BBS_IDLE_AFTER_LOGIN',
    help: 'silent seconds allowed at a prompt after login (0: never hang up)',
  },
} as const satisfies FlagTable;

/** A backend's limits, as parsed from the flags of LIMIT_FLAGS. */
export interface BackendLimits {
  readonly limits: Limits;
  readonly lines: LineLimits;
}

/** Builds the limits from parsed values, recording a problem when they contradict each other. */
export function backendLimits(values: FlagValues<typeof LIMIT_FLAGS>, problems: ConfigProblems): BackendLimits {
  const limits: Limits = Object.freeze({
    ...DEFAULT_LIMITS,
    maxLines: values['max-lines'],
    maxLineLength: values['max-line-length'],
    pageSize: values['page-size'],
    badPasswordDelayMs: values['bad-pass-delay-ms'],
    loginLockAfter: values['login-lock-after'],
    loginAddressLockAfter: values['login-address-lock-after'] ?? values['login-lock-after'] * ADDRESS_FACTOR,
    writesPerHour: values['writes-per-hour'],
    loginLockMs: values['login-lock-seconds'] > 0 ? values['login-lock-seconds'] * 1000 : values['login-lock-minutes'] * 60_000,
  });
  const lines: LineLimits = Object.freeze({
    maxCallers: values['max-callers'],
    idleBeforeLoginSeconds: values['idle-before-login'],
    idleAfterLoginSeconds: values['idle-after-login'],
    loginWithinSeconds: values['login-within'],
    // A silent caller has not logged in either: a longer limit than that one would never apply.
    idleBeforeTypingSeconds: values['idle-before-login'] > 0 ? Math.min(values['idle-before-typing'], values['idle-before-login']) : values['idle-before-typing'],
  });
  const { idleBeforeLoginSeconds: before, idleAfterLoginSeconds: after } = lines;
  // 0 is "never"; a caller who has not logged in must not hold a line longer than one who has.
  if (after > 0 && (before === 0 || before > after)) {
    problems.add(`--idle-before-login: expected at most --idle-after-login (${after}), got "${before === 0 ? '0 (never)' : before}"`);
  }
  return Object.freeze({ limits, lines });
}
