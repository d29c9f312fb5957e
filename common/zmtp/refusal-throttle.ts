/**
 * Says each kind of handshake refusal once per window: the first at once, the ones like it that
 * follow counted and said in one line when the window ends. Thousands of connections that never
 * greet, or a handler redialling with the wrong security, would otherwise write a line each.
 */

/** Passes on refusals (`why`), the same `why` at most once per window, with how many were held back. */
export class RefusalThrottle {
  private readonly windows = new Map<string, { held: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly windowMs: number,
    private readonly say: (why: string) => void,
  ) {}

  refused(why: string): void {
    const open = this.windows.get(why);
    if (open !== undefined) {
      open.held++;
      return;
    }
    this.say(why);
    this.open(why);
  }

  /** Says what is held back and stops the timers. */
  close(): void {
    for (const [why, window] of this.windows) {
      clearTimeout(window.timer);
      if (window.held > 0) this.say(held(why, window.held, this.windowMs));
    }
    this.windows.clear();
  }

  private open(why: string): void {
    const window = { held: 0, timer: setTimeout(() => this.end(why), this.windowMs) };
    window.timer.unref();
    this.windows.set(why, window);
  }

  private end(why: string): void {
    const window = this.windows.get(why);
    this.windows.delete(why);
    if (window === undefined || window.held === 0) return;
    this.say(held(why, window.held, this.windowMs));
    // More may follow: the next ones are counted in a window of their own.
    this.open(why);
  }
}

function held(why: string, count: number, windowMs: number): string {
  return `${why} (${count} more peer${count === 1 ? '' : 's'} refused so within ${windowMs / 1000} s)`;
}
