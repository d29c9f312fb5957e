/**
 * How often the proxy's caps say they refused someone: a `warn` line at the first refusal for a
 * key (an address, or the total), then at most one a minute while refusals go on, each with how
 * many were refused since the line before. Connections churning at a cap (one closes, the next is
 * let in, the one after refused) would otherwise log a line for every refusal.
 */

/** At most one line per key in this time. */
export const CAP_WARN_EVERY_MS = 60_000;

/** Writes one line for `key`: `refused` connections turned away since its last line. */
export type CapWarnWrite = (key: string, refused: number) => void;

interface Window {
  /** When the key's last line was written. */
  at: number;
  /** Refused since then, not yet in a line. */
  since: number;
}

/** The rate limit on one cap's warnings; `now` is the clock (ms). */
export class CapWarnings {
  // In the order of their last line, oldest first: pruning stops at the first one still fresh.
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly write: CapWarnWrite,
    private readonly now: () => number = Date.now,
  ) {}

  /** Someone was refused under `key`: written now, or counted into the key's next line. */
  refused(key: string): void {
    const at = this.now();
    this.prune(at);
    const window = this.windows.get(key);
    if (window !== undefined) {
      window.since++;
      return;
    }
    this.windows.set(key, { at, since: 0 });
    this.write(key, 1);
  }

  /** Keys with a line in the last minute (what the limit keeps in memory). */
  get size(): number {
    return this.windows.size;
  }

  // A key whose minute is over is forgotten, its refusals since its last line written first: so
  // the next refusal there gets a line at once, and none goes uncounted.
  private prune(at: number): void {
    for (const [key, window] of this.windows) {
      if (at - window.at < CAP_WARN_EVERY_MS) return;
      this.windows.delete(key);
      if (window.since > 0) {
        // Still refusing: this line is the key's next, and opens its next minute.
        this.windows.set(key, { at, since: 0 });
        this.write(key, window.since);
      }
    }
  }
}
