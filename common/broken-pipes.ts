/** Output to a reader that has gone (a `| tee` ended by the same Ctrl-C, a dead supervisor) is dropped. */

let ignoring = false;

/**
 * Ignores EPIPE on stdout and stderr from now on, so a process whose reader has gone still gets
 * to stop what it runs instead of dying of an unhandled 'error' event halfway through.
 */
export function ignoreBrokenPipes(): void {
  if (ignoring) return;
  ignoring = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // After the first EPIPE the stream is destroyed and every later write says so.
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
