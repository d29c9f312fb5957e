/** Output to a reader that has gone (a `| tee` ended by the same Ctrl-C, a dead supervisor, a closed terminal) is dropped. */

let ignoring = false;

// A closed terminal answers EIO: `m2bbs start` printing 'the terminal closed' must still stop the BBS.
const GONE = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);

/**
 * Ignores EPIPE (and EIO, what a terminal that hung up answers) on stdout and stderr from now on,
 * so a process whose reader has gone still gets to stop what it runs instead of dying of an
 * unhandled 'error' event halfway through.
 */
export function ignoreBrokenPipes(): void {
  if (ignoring) return;
  ignoring = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // After the first EPIPE or EIO the stream is destroyed and every later write says so.
      if (!GONE.has(error.code ?? '')) throw error;
    });
  }
}
