/**
 * Clean shutdown for a long-running command: the first SIGINT/SIGTERM closes, a second exits at
 * once; a process started by `m2bbs start` also stops itself when the supervisor goes away.
 */
import { ignoreBrokenPipes } from './broken-pipes.js';
import { whenSupervisorGone } from './child-channel.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';

// Closing normally takes well under a second; a close that hangs must not keep the ports.
const GONE_CLOSE_LIMIT_MS = 5000;

/** Calls `close` on the first SIGINT or SIGTERM (or loss of the supervisor) and exits 0 when done (1 if it fails). */
export function stopOnSignals(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info('stopping', { signal: why });
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('stop failed', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  // A reader that went away (the supervisor, a pipe) must not crash the process before it closes.
  ignoreBrokenPipes();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  whenSupervisorGone(() => {
    setTimeout(() => process.exit(1), GONE_CLOSE_LIMIT_MS).unref();
    if (!stopping) stop('supervisor gone');
  });
}
