/** Clean shutdown for a long-running command: first SIGINT/SIGTERM closes, a second exits at once. */
import { describeError } from './errors.js';
import type { Logger } from './log.js';

/** Calls `close` on the first SIGINT or SIGTERM and exits 0 when it is done (1 if it fails). */
export function stopOnSignals(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info('stopping', { signal });
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('stop failed', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
