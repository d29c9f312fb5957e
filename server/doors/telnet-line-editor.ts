/**
 * The line a telnet caller is typing, edited as a terminal in character mode expects: UTF-8 text
 * kept until Enter, backspace, Ctrl-W (the last word) and Ctrl-U (the line), arrow and function keys
 * skipped, other control keys (Ctrl-A, Ctrl-C, Ctrl-Z...) ignored with a bell; NUL, a run of control
 * bytes (binary data), C1 controls and bad UTF-8 refused; an over-long line dropped up to Enter,
 * which says so. Pure: it says what to echo, the door writes it.
 */

/** Why typing ends the call: words for the caller, and a reason for the log. */
export interface TypingRefused {
  readonly message: string;
  readonly reason: string;
}

/** What some typing did: the text to echo (when the door echoes), and a refusal that ends the line. */
export interface Typed {
  readonly echo: string;
  readonly refused?: TypingRefused;
}

const [NUL, BELL, TAB, CTRL_U, CTRL_W, ESC] = [0x00, 0x07, 0x09, 0x15, 0x17, 0x1b];
/**
 * More control keys than this in a row, with nothing else typed between them, is binary data rather
 * than a caller's fumbled keys: the line is closed as before control keys were ignored.
 */
export const MAX_CONTROL_RUN = 32;
const C1_CONTROLS = /[\u0080-\u009f]/;
const WHITESPACE = /^\s$/u;

// The character (a code point: one or two UTF-16 units) ending at `end` of `text`.
function charBefore(text: string, end: number): string {
  const low = text.charCodeAt(end - 1);
  const high = end >= 2 ? text.charCodeAt(end - 2) : 0;
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? text.slice(end - 2, end) : text.slice(end - 1, end);
}
const CONTROLS = 'Control characters and binary data are not accepted';
const NOT_UTF8 = 'That was not valid UTF-8 text';

/** One caller's line being typed. */
export class TelnetLineEditor {
  // Made for a line being typed and dropped at Enter: an idle caller keeps no converter.
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  private typed = '';
  private typedBytes = 0;
  private escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
  // The line passed its limit: what is typed up to Enter is dropped, and Enter says so.
  private overLong = false;
  // Ignored control keys since the last other byte, across feeds.
  private controlRun = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** The text typed so far on this line. */
  get text(): string {
    return this.typed;
  }

  /** Takes bytes the caller typed (Enter and telnet commands come as their own events). */
  feed(bytes: Buffer): Typed {
    let echo = '';
    let kept: number[] = [];
    for (const byte of bytes) {
      if (byte >= 0x20 || byte === TAB || byte === ESC) this.controlRun = 0;
      if (this.escape !== 'none') this.skipEscape(byte);
      else if (byte === ESC) this.escape = 'esc';
      else if (byte === CTRL_U || byte === CTRL_W) {
        const accepted = this.accept(kept);
        kept = [];
        if (accepted.refused !== undefined) return { echo: echo + accepted.echo, refused: accepted.refused };
        echo += accepted.echo + this.erase(byte === CTRL_U ? Infinity : this.lastWordLength());
      } else if (byte === NUL) return { echo, refused: { message: CONTROLS, reason: 'byte 0x0' } };
      else if (byte < 0x20 && byte !== TAB) {
        // A control key typed at a line (Ctrl-A, Ctrl-C, Ctrl-Z...) means nothing here: a bell, the line kept.
        if (++this.controlRun > MAX_CONTROL_RUN) return { echo, refused: { message: CONTROLS, reason: `${this.controlRun} control bytes in a row` } };
        const accepted = this.accept(kept);
        kept = [];
        if (accepted.refused !== undefined) return { echo: echo + accepted.echo, refused: accepted.refused };
        echo += accepted.echo + String.fromCharCode(BELL);
      } else kept.push(byte);
    }
    const accepted = this.accept(kept);
    return accepted.refused === undefined ? { echo: echo + accepted.echo } : { echo: echo + accepted.echo, refused: accepted.refused };
  }

  /**
   * Removes up to `count` characters from the end; returns what erases them on the screen. Walks
   * back from the end only as far as it erases: a backspace costs the same at any length of line.
   */
  erase(count: number): string {
    // The whole line erased (Ctrl-U): one dropped for its length is gone too, and the next is read.
    if (count === Infinity) {
      this.overLong = false;
      this.typedBytes = 0;
    }
    let end = this.typed.length;
    let removed = 0;
    while (removed < count && end > 0) {
      end -= charBefore(this.typed, end).length;
      removed++;
    }
    if (removed === 0) return '';
    this.typedBytes = Math.max(0, this.typedBytes - Buffer.byteLength(this.typed.slice(end)));
    this.typed = this.typed.slice(0, end);
    return '\b \b'.repeat(removed);
  }

  // Ctrl-W as shells and the page do it: the spaces before the cursor, then the word before them.
  // Counted back from the end, never over the whole line: a regular expression anchored at the end
  // tried every start, and a caller repeating a letter and Ctrl-W after a 4 KB word held the proxy
  // for seconds.
  private lastWordLength(): number {
    let end = this.typed.length;
    let count = 0;
    for (const inWord of [false, true]) {
      while (end > 0) {
        const char = charBefore(this.typed, end);
        if (WHITESPACE.test(char) === inWord) break;
        end -= char.length;
        count++;
      }
    }
    return count;
  }

  /**
   * Enter: the whole line, and a fresh one begun; or the refusal when it ends in half a character;
   * or, for a line past its limit, how long that is (the line is not read, the call goes on).
   */
  take(): { line: string } | { refused: TypingRefused } | { tooLong: number } {
    if (this.overLong) {
      this.forget();
      return { tooLong: this.maxLineBytes };
    }
    let line: string;
    try {
      line = this.typed + (this.decoder?.decode() ?? '');
    } catch {
      this.forget();
      return { refused: { message: NOT_UTF8, reason: 'invalid UTF-8 at end of line' } };
    }
    this.forget();
    return { line };
  }

  /** Drops the line being typed without sending it. */
  forget(): void {
    this.decoder = undefined;
    this.typed = '';
    this.typedBytes = 0;
    this.escape = 'none';
    this.overLong = false;
  }

  private accept(bytes: number[]): Typed {
    if (bytes.length === 0 || this.overLong) return { echo: '' };
    let text: string;
    try {
      this.decoder ??= new TextDecoder('utf-8', { fatal: true });
      text = this.decoder.decode(Buffer.from(bytes), { stream: true });
    } catch {
      return { echo: '', refused: { message: NOT_UTF8, reason: 'invalid UTF-8' } };
    }
    this.typedBytes += bytes.length;
    if (C1_CONTROLS.test(text)) return { echo: '', refused: { message: CONTROLS, reason: 'C1 control' } };
    // A line too long (a paste) is dropped up to Enter, which says so: the call goes on, and what
    // the caller wrote before it is theirs still.
    if (this.typedBytes > this.maxLineBytes) {
      this.overLong = true;
      this.typed = '';
      this.typedBytes = 0;
      this.decoder = undefined;
      return { echo: '' };
    }
    this.typed += text;
    return { echo: text };
  }

  // Arrow and function keys send escape sequences; they do nothing on a BBS line, so they are skipped.
  private skipEscape(byte: number): void {
    if (this.escape === 'esc') this.escape = byte === 0x5b ? 'csi' : byte === 0x4f ? 'ss3' : 'none';
    else if (this.escape === 'ss3' || byte < 0x20 || byte > 0x3f) this.escape = 'none';
  }
}
