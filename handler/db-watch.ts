/**
 * A backend's watch on its database file. A file deleted under a running board is noticed within
 * seconds, not at the next caller's write, so its rescue copy is made (and the sysop told) even on
 * a quiet board that is stopped right after: once the backend stops, what it held is gone.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Store } from '../db/store.js';
import { logFileGone } from './write-failure-log.js';

/** How often the file is looked at: one stat(2), cheap next to a caller's turn. */
export const DB_WATCH_INTERVAL_MS = 2000;

/** A running watch; `stop` looks one last time, so a file gone just before a stop is still copied. */
export interface DatabaseWatch {
  stop(): void;
}

/** Looks every `everyMs` whether `store`'s file is still the one it opened, and logs when it is not. */
export function watchDatabaseFile(store: Store, log: Logger, everyMs: number = DB_WATCH_INTERVAL_MS): DatabaseWatch {
  let timer: NodeJS.Timeout | undefined;
  const look = (): void => {
    try {
      const gone = store.fileGone();
      if (gone === undefined) return;
      logFileGone(log, store, gone);
      // Said once; from here on each refused write says it again, and close retries a failed copy.
      clearInterval(timer);
    } catch (error) {
      log.error('database file check failed', { file: store.file, error: describeError(error) });
    }
  };
  timer = setInterval(look, everyMs).unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      look();
    },
  };
}
