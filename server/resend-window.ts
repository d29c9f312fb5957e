/**
 * What a call sent its m2bbs backend that the backend has not yet acknowledged as journaled:
 * the inputs since the last prompt's `seq` (common/prompt-ack.ts). If the backend dies, these are
 * sent again to the one that takes the call over, which skips what its journal already holds.
 * Bounded: a caller who types more than it holds without a prompt in between is flooding (the
 * backend hangs up at 32 lines ahead), and the call then cannot move.
 */

/** Inputs kept at most, and their bytes. */
export const MAX_WINDOW_INPUTS = 64;
export const MAX_WINDOW_BYTES = 64 * 1024;

interface Kept {
  readonly seq: number;
  readonly body: Buffer;
}

// One per call for the whole call: an idle caller's is a few numbers and no array.
export class ResendWindow {
  private kept: Kept[] | undefined = undefined;
  private bytes = 0;
  /** The last input acknowledged; 0 before any. */
  acked = 0;
  /** Inputs were dropped to stay in bounds, not yet acknowledged: what is kept is not all that may be missing. */
  overflowed = false;
  // The last input dropped to stay in bounds; once acknowledged, nothing kept is missing again.
  private droppedUpTo = 0;
  /** The backend has acknowledged an input: it journals this call, which can move. */
  journaled = false;

  /** Keeps input `seq`. */
  push(seq: number, body: Buffer): void {
    const kept = (this.kept ??= []);
    kept.push({ seq, body });
    this.bytes += body.length;
    while (kept.length > MAX_WINDOW_INPUTS || this.bytes > MAX_WINDOW_BYTES) {
      const dropped = kept.shift() as Kept;
      this.overflowed = true;
      this.droppedUpTo = dropped.seq;
      this.bytes -= dropped.body.length;
    }
  }

  /** The backend has journaled every input up to `seq`. */
  ack(seq: number): void {
    this.journaled = true;
    if (seq <= this.acked) return;
    this.acked = seq;
    if (seq >= this.droppedUpTo) this.overflowed = false;
    const kept = this.kept;
    if (kept === undefined) return;
    let drop = 0;
    while (drop < kept.length && (kept[drop] as Kept).seq <= seq) this.bytes -= (kept[drop++] as Kept).body.length;
    if (drop === kept.length) this.kept = undefined;
    else kept.splice(0, drop);
  }

  /** The inputs to send again, oldest first. */
  entries(): readonly Kept[] {
    return this.kept ?? [];
  }

  get length(): number {
    return this.kept?.length ?? 0;
  }
}
