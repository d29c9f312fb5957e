/** The line a run shows while it goes: on a terminal it rewrites itself, elsewhere it prints every few seconds. */

export interface Progress {
  show(text: string): void;
  done(): void;
}

/** Writes progress to `stream` (stderr): in place on a terminal, one line per `everyMs` otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr, everyMs = 5000): Progress {
  let last = 0;
  let shown = false;
  return {
    show(text) {
      if (stream.isTTY) {
        stream.write(`\r${text.padEnd(Math.min(stream.columns ?? 120, 160) - 1).slice(0, (stream.columns ?? 120) - 1)}`);
        shown = true;
        return;
      }
      const now = Date.now();
      if (now - last < everyMs) return;
      last = now;
      stream.write(`${text}\n`);
    },
    done() {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}

