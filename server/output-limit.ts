/**
 * How much the proxy may hold for one caller who does not read what the BBS sends: past the
 * high-water mark the door stops reading that caller's input (so they cannot make the backend
 * say more), past the cap the caller is told and closed. Counters are kept for tests and logs.
 */

/** The default cap on bytes waiting to go out to one caller (`--max-output-bytes`). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** What the doors read and count; one per proxy. */
export interface OutputLimit {
  /** Bytes waiting for one caller past which that caller is closed. */
  readonly maxBytes: number;
  /** Bytes waiting past which a caller's input is no longer read until their output drains. */
  readonly highWaterBytes: number;
  /** The most bytes seen waiting for any one caller since the proxy started. */
  readonly peakBytes: number;
  /** Callers closed because their output passed the cap. */
  readonly overflowed: number;
  /**
   * Notes that `adding` bytes join `waiting` ones not yet taken by one caller; true when that
   * caller must be closed: it is past the cap with output still unread from before. One reply,
   * however large, to a caller who has read everything is never refused, so a page bigger than a
   * small cap reaches a caller who reads, and what one caller costs stays under the cap plus one reply.
   */
  exceeded(waiting: number, adding: number): boolean;
  /** Counts one caller closed for not reading. */
  closedOne(): void;
}

/** What a caller who never reads is told, for whenever they read again. */
export const NOT_READING = 'You are not reading what the BBS sends, so the line is closed.';

/** Creates the limit for a proxy; `maxBytes` is checked by the configuration. */
export function createOutputLimit(maxBytes = DEFAULT_MAX_OUTPUT_BYTES): OutputLimit {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`Expected maxBytes to be an integer >= 1, got ${maxBytes}`);
  let peakBytes = 0;
  let overflowed = 0;
  return {
    maxBytes,
    highWaterBytes: Math.max(1, Math.floor(maxBytes / 4)),
    get peakBytes() {
      return peakBytes;
    },
    get overflowed() {
      return overflowed;
    },
    exceeded(waiting, adding) {
      const bytes = waiting + adding;
      if (bytes > peakBytes) peakBytes = bytes;
      return waiting > 0 && bytes > maxBytes;
    },
    closedOne() {
      overflowed++;
    },
  };
}
