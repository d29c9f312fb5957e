/**
 * A static file's body goes out in slices, each written when the connection has taken the one
 * before: what waits for a slow client is a slice, not the file, and each slice it takes is
 * progress the response deadline (header-deadline.ts) can see. A pipelined response waits for its
 * turn on the connection before writing anything.
 */
import type { ServerResponse } from 'node:http';

/** Bytes written at a time: the socket's own high-water mark, so one slice fills it. */
const SLICE_BYTES = 16 * 1024;

/** Sends `body` (a shared buffer, sliced without copying) as the rest of `res`, then ends it. */
export function sendBody(res: ServerResponse, body: Buffer): void {
  let at = 0;
  const more = (): void => {
    while (at < body.length) {
      const slice = body.subarray(at, at + SLICE_BYTES);
      at += slice.length;
      if (at >= body.length) return void res.end(slice);
      if (!res.write(slice)) return void res.once('drain', more);
    }
    res.end();
  };
  // Node queues a pipelined response's writes in memory until the one before it finishes.
  if (res.socket === null || res.socket === undefined) res.once('socket', more);
  else more();
}
