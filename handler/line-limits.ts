/** How many callers a backend takes at once, and how long a silent caller keeps a line. */
export interface LineLimits {
  /** Callers in conversation at once; 0 takes everyone. */
  readonly maxCallers: number;
  /** Seconds a caller who has not logged in may leave a prompt unanswered; 0 never hangs up. */
  readonly idleBeforeLoginSeconds: number;
  /** Seconds a logged-in caller may leave a prompt unanswered; 0 never hangs up. */
  readonly idleAfterLoginSeconds: number;
  /**
   * Seconds a caller who has typed nothing at all since calling keeps the line (a silent
   * connection, or a flood of them); 0 never hangs up on them sooner than idleBeforeLoginSeconds.
   * Optional, for limits made before it existed: then 0.
   */
  readonly idleBeforeTypingSeconds?: number;
  /**
   * Seconds a caller may take to log in (or sign up), typing or not: past them the line is hung
   * up. Blank names and unreadable messages are answered without ending the call, so a line held
   * by typing them is freed this way. 0 never; optional, for limits made before it: then 0.
   */
  readonly loginWithinSeconds?: number;
}

/** The line limits a backend uses unless configured otherwise. */
export const DEFAULT_LINE_LIMITS: LineLimits = Object.freeze({
  maxCallers: 0,
  idleBeforeLoginSeconds: 120,
  idleAfterLoginSeconds: 900,
  idleBeforeTypingSeconds: 30,
  loginWithinSeconds: 600,
});

/** How often a backend looks for idle callers: often enough that none stays much past its limit. */
export function sweepIntervalMs(limits: LineLimits): number {
  const limitsMs = [limits.idleBeforeLoginSeconds, limits.idleAfterLoginSeconds, limits.idleBeforeTypingSeconds ?? 0, limits.loginWithinSeconds ?? 0].filter((s) => s > 0).map((s) => s * 1000);
  if (limitsMs.length === 0) return 0;
  return Math.min(5000, Math.max(100, Math.floor(Math.min(...limitsMs) / 10)));
}

/**
 * How long a caller may leave a prompt unanswered, and the screen that says why the line drops. A
 * caller who has typed nothing since calling (a connection left open, one of a flood) gets the
 * shorter limit, so that silence costs a line for a short while only. 0 seconds: never.
 */
export function idleLimit(limits: LineLimits, loggedIn: boolean, typed: boolean): { readonly seconds: number; readonly screen: 'idle' | 'silent' } {
  if (loggedIn) return { seconds: limits.idleAfterLoginSeconds, screen: 'idle' };
  const before = limits.idleBeforeLoginSeconds;
  const typing = limits.idleBeforeTypingSeconds ?? 0;
  if (!typed && typing > 0 && (before === 0 || typing < before)) return { seconds: typing, screen: 'silent' };
  return { seconds: before, screen: 'idle' };
}

/** A whole number of seconds as callers read it: "2 minutes", "90 seconds", "1 minute". */
export function formatDuration(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) {
    const minutes = seconds / 60;
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}
