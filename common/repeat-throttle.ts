/**
 * Says each kind of repeated event once per window: the first at once, the ones like it that
 * follow counted and said in one line when the window ends. Thousands of connections that never
 * greet, or a caller sending malformed messages as fast as they are answered, would otherwise
 * write a log line each (a caller wrote 14 MB of log in 10 s so).
 */

/** Passes on events by kind (`key`): the first of a kind at once, then at most one line per window with how many were held back. */
export class RepeatThrottle {
  private readonly windows = new Map<string, { held: number; timer: NodeJS.Timeout }>();

  /** `sayHeld` tells how many events of `key` were held back within `windowMs`. */
  constructor(
    private readonly windowMs: number,
    private readonly sayHeld: (key: string, count: number) => void,
  ) {}

  /** An event of kind `key`: `say` runs when it is the first of its window, else it is counted. */
  seen(key: string, say: () => void): void {
    const open = this.windows.get(key);
    if (open !== undefined) {
      open.held++;
      return;
    }
    say();
    this.open(key);
  }

  /** Says what is held back and stops the timers. */
  close(): void {
    for (const [key, window] of this.windows) {
      clearTimeout(window.timer);
      if (window.held > 0) this.sayHeld(key, window.held);
    }
    this.windows.clear();
  }

  private open(key: string): void {
    const window = { held: 0, timer: setTimeout(() => this.end(key), this.windowMs) };
    window.timer.unref();
    this.windows.set(key, window);
  }

  private end(key: string): void {
    const window = this.windows.get(key);
    this.windows.delete(key);
    if (window === undefined || window.held === 0) return;
    this.sayHeld(key, window.held);
    // More may follow: the next ones are counted in a window of their own.
    this.open(key);
  }
}
