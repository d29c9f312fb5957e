/**
 * Clean shutdown for a long-running command: the first SIGINT/SIGTERM closes, a second exits at
 * once; a process started by `m2bbs start` also stops itself when the supervisor goes away. With
 * a `drain`, the first SIGTERM drains instead (SIGINT, or a second SIGTERM, still stops at once).
 */
import { ignoreBrokenPipes } from './broken-pipes.js';
import { hasSupervisor, whenSupervisorGone } from './child-channel.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';

// Closing normally takes well under a second; a close that hangs must not keep the ports.
const GONE_CLOSE_LIMIT_MS = 5000;

export interface StopOptions {
  /** What the first SIGTERM does instead of `close`: resolves once the process may exit 0 (it closed itself). */
  readonly drain?: () => Promise<void>;
}

/** Calls `close` on the first SIGINT or SIGTERM (or loss of the supervisor) and exits 0 when done (1 if it fails); see StopOptions for draining. */
export function stopOnSignals(log: Logger, close: () => Promise<void>, options: StopOptions = {}): void {
  let state: 'running' | 'draining' | 'stopping' = 'running';
  const failed = (error: unknown): void => {
    log.error('stop failed', { error: describeError(error) });
    process.exit(1);
  };
  const stop = (why: string): void => {
    if (state === 'stopping') process.exit(1);
    state = 'stopping';
    log.info('stopping', { signal: why });
    close().then(() => process.exit(0), failed);
  };
  const term = (): void => {
    if (state !== 'running' || options.drain === undefined) return stop('SIGTERM');
    state = 'draining';
    options.drain().then(() => {
      // A stop at once overtook the drain: that one exits.
      if (state === 'draining') process.exit(0);
    }, failed);
  };
  // A reader that went away (the supervisor, a pipe) must not crash the process before it closes.
  ignoreBrokenPipes();
  process.on('SIGINT', stop);
  process.on('SIGTERM', term);
  // A closed terminal: run by hand, this process stops; under `m2bbs start` the supervisor got the
  // same hang-up and stops everything in order (the proxy telling its callers first).
  process.on('SIGHUP', () => {
    if (!hasSupervisor()) stop('SIGHUP');
  });
  whenSupervisorGone(() => {
    setTimeout(() => process.exit(1), GONE_CLOSE_LIMIT_MS).unref();
    if (state !== 'stopping') stop('supervisor gone');
  });
}
