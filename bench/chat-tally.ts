/**
 * The chat bench's books: every line said (when, and whether inside the measuring window), every
 * receipt of it by another caller (first ones timed, later ones counted as doubled), and at the
 * end the deliveries expected (each measured line times the others in the room) against those
 * received.
 */
import { chatTag, type LineTag } from './chat-tags.js';
import { Samples } from './samples.js';

interface SaidLine {
  readonly at: number;
  /** Said inside the measuring window: its deliveries are counted and timed. */
  readonly measured: boolean;
  /** The BBS told its speaker it was not sent (the flood limit): nothing is expected of it. */
  refused: boolean;
  /** How many times each caller was sent it (measured and watched lines only). */
  receipts: Uint8Array | undefined;
}

/** Deliveries of the measured lines, as the report gives them. */
export interface ChatDeliveries {
  /** Lines said inside the window (refused ones too). */
  readonly said: number;
  /** Of those, lines the BBS refused to relay, telling their speaker (the room's flood limit). */
  readonly refused: number;
  /** Callers in the room who could receive (in the room when talking began, still on the line at the end). */
  readonly roomSize: number;
  /** Sum over measured lines not refused of the others in the room. */
  readonly expected: number;
  /** Expected deliveries that arrived (each once). */
  readonly received: number;
  readonly lost: number;
  /** Receipts beyond the first of a line by one caller. */
  readonly doubled: number;
  /** The speaker sent its own line back (not expected, not counted as delivered). */
  readonly ownEchoes: number;
  /** Tagged events naming a line nobody said. */
  readonly unknownTags: number;
  /** Up to five lines that did not reach everyone: `TAG: N of M`. */
  readonly lostExamples: readonly string[];
}

/** The width of a latency slice: lines said in the same 5 s of the window. */
export const SLICE_MS = 5000;

export class ChatTally {
  private readonly lines: SaidLine[][];
  private member: Uint8Array;
  private roomSize = 0;
  private measuring = false;
  private expectedSoFar = 0;
  private receivedSoFar = 0;
  private doubled = 0;
  private ownEchoes = 0;
  private unknownTags = 0;
  /** Receipts by other callers of any tagged line while the window was open: what the CPU is divided by. */
  deliveredInWindow = 0;
  /** Lines said while the window was open. */
  saidInWindow = 0;
  /** Say to receipt, in ms, of each first receipt of a measured line. */
  readonly latency = new Samples();
  /** The same, by when the line was said: one set per SLICE_MS of the window (a BBS falling behind shows as a rising series). */
  readonly slices: Samples[] = [];
  private windowFrom = 0;
  /** Say to the speaker's own prompt after it (its line stored and published), of measured lines: the speaker's backend's share. */
  readonly sayToAck = new Samples();
  /** Events received, by kind (chat, join, leave...), all through the run. */
  readonly kinds = new Map<string, number>();

  constructor(private readonly callers: number) {
    this.lines = Array.from({ length: callers }, () => []);
    this.member = new Uint8Array(callers);
  }

  /** The callers in the room when talking begins: the receivers every measured line is expected at. */
  setRoom(inRoom: readonly boolean[]): void {
    this.member = Uint8Array.from(inRoom, (v) => (v ? 1 : 0));
    this.roomSize = inRoom.filter(Boolean).length;
  }

  /** A caller left the room for good (lost the line): nothing more is expected at it. */
  leave(caller: number): void {
    if (this.member[caller] !== 1) return;
    this.member[caller] = 0;
    this.roomSize--;
    // What was expected at it so far is expected no more, what it received no longer counts.
    for (const [speaker, own] of this.lines.entries()) {
      if (speaker === caller) continue;
      for (const line of own) {
        if (line?.receipts === undefined || !line.measured || line.refused) continue;
        this.expectedSoFar--;
        if ((line.receipts[caller] ?? 0) > 0) this.receivedSoFar--;
      }
    }
  }

  /** Opens the window at `at` (the clock `said` and `received` use). */
  openWindow(at: number): void {
    this.windowFrom = at;
    this.measuring = true;
    this.deliveredInWindow = 0;
    this.saidInWindow = 0;
  }

  closeWindow(): void {
    this.measuring = false;
  }

  /** `speaker` typed its line number `line` at `at`. */
  said(speaker: number, line: number, at: number): void {
    const own = this.lines[speaker];
    if (own === undefined) throw new RangeError(`Expected a caller below ${this.callers}, got ${speaker}`);
    const measured = this.measuring;
    own[line] = { at, measured, refused: false, receipts: measured ? new Uint8Array(this.callers) : undefined };
    if (!measured) return;
    this.saidInWindow++;
    this.expectedSoFar += this.roomSize - (this.member[speaker] === 1 ? 1 : 0);
  }

  /** `speaker` was shown its prompt again after its line number `line`, at `at`. */
  acked(speaker: number, line: number, at: number): void {
    const said = this.lines[speaker]?.[line];
    if (said?.measured === true && !said.refused) this.sayToAck.add(at - said.at);
  }

  /** Follows who receives `speaker`'s line number `line`, said outside the window (the settling probe). */
  watch(speaker: number, line: number): void {
    const said = this.lines[speaker]?.[line];
    if (said !== undefined) said.receipts ??= new Uint8Array(this.callers);
  }

  /** How many callers in the room but its speaker have received a watched or measured line. */
  reached(speaker: number, line: number): number {
    const receipts = this.lines[speaker]?.[line]?.receipts;
    if (receipts === undefined) return 0;
    let n = 0;
    for (let r = 0; r < this.callers; r++) if (r !== speaker && this.member[r] === 1 && (receipts[r] ?? 0) > 0) n++;
    return n;
  }

  /** Callers in the room now. */
  get room(): number {
    return this.roomSize;
  }

  /** `speaker` was told its line number `line` was not sent. */
  refused(speaker: number, line: number): void {
    const said = this.lines[speaker]?.[line];
    if (said === undefined || said.refused) return;
    said.refused = true;
    if (said.measured) this.expectedSoFar -= this.roomSize - (this.member[speaker] === 1 ? 1 : 0);
  }

  /** `receiver` was sent the line `tag` at `at`. */
  received(receiver: number, tag: LineTag, at: number): void {
    const line = this.lines[tag.speaker]?.[tag.line];
    if (line === undefined) {
      this.unknownTags++;
      return;
    }
    if (receiver === tag.speaker) {
      this.ownEchoes++;
      return;
    }
    if (this.measuring) this.deliveredInWindow++;
    const receipts = line.receipts;
    if (receipts === undefined) return;
    const before = receipts[receiver] ?? 0;
    receipts[receiver] = Math.min(255, before + 1);
    if (!line.measured) return;
    if (before > 0) {
      this.doubled++;
      return;
    }
    this.latency.add(at - line.at);
    const slice = Math.max(0, Math.floor((line.at - this.windowFrom) / SLICE_MS));
    while (this.slices.length <= slice) this.slices.push(new Samples());
    this.slices[slice]?.add(at - line.at);
    if (this.member[receiver] === 1) this.receivedSoFar++;
  }

  /** An event of `kind` arrived (any caller); `count` of them at once (lines a notice says were missed). */
  event(kind: string, count = 1): void {
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + count);
  }

  /** Expected deliveries of measured lines not yet seen, at the callers still in the room. */
  outstanding(): number {
    return this.expectedSoFar - this.receivedSoFar;
  }

  /** The deliveries of every measured line, against the room as it is now. */
  result(): ChatDeliveries {
    let said = 0;
    let refused = 0;
    let expected = 0;
    let received = 0;
    const lostExamples: string[] = [];
    for (const [speaker, own] of this.lines.entries()) {
      for (const [index, line] of own.entries()) {
        if (line?.receipts === undefined || !line.measured) continue;
        said++;
        if (line.refused) {
          refused++;
          continue;
        }
        let expectedHere = 0;
        let receivedHere = 0;
        for (let r = 0; r < this.callers; r++) {
          if (r === speaker || this.member[r] !== 1) continue;
          expectedHere++;
          if ((line.receipts[r] ?? 0) > 0) receivedHere++;
        }
        expected += expectedHere;
        received += receivedHere;
        if (receivedHere < expectedHere && lostExamples.length < 5) lostExamples.push(`${chatTag(speaker, index)}: ${receivedHere} of ${expectedHere}`);
      }
    }
    return { said, refused, roomSize: this.roomSize, expected, received, lost: expected - received, doubled: this.doubled, ownEchoes: this.ownEchoes, unknownTags: this.unknownTags, lostExamples };
  }
}
