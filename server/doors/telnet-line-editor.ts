/**
 * The line a telnet caller is typing, edited as a terminal in character mode expects: UTF-8 text
 * kept until Enter, backspace and Ctrl-U, arrow and function keys skipped, control characters,
 * bad UTF-8 and over-long lines refused. Pure: it says what to echo, the door writes it.
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

const [TAB, CTRL_U, ESC] = [0x09, 0x15, 0x1b];
const C1_CONTROLS = /[\u0080-\u009f]/;
const CONTROLS = 'Control characters and binary data are not accepted';
const NOT_UTF8 = 'That was not valid UTF-8 text';

/** One caller's line being typed. */
export class TelnetLineEditor {
  // Made for a line being typed and dropped at Enter: an idle caller keeps no converter.
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  private typed = '';
  private typedBytes = 0;
  private escape: 'none' | 'esc' | 'csi' | 'ss3' = 'none';

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
      if (this.escape !== 'none') this.skipEscape(byte);
      else if (byte === ESC) this.escape = 'esc';
      else if (byte === CTRL_U) {
        const accepted = this.accept(kept);
        kept = [];
        if (accepted.refused !== undefined) return { echo: echo + accepted.echo, refused: accepted.refused };
        echo += accepted.echo + this.erase(Infinity);
      } else if (byte < 0x20 && byte !== TAB) return { echo, refused: { message: CONTROLS, reason: `byte 0x${byte.toString(16)}` } };
      else kept.push(byte);
    }
    const accepted = this.accept(kept);
    return accepted.refused === undefined ? { echo: echo + accepted.echo } : { echo: echo + accepted.echo, refused: accepted.refused };
  }

  /** Removes up to `count` characters from the end; returns what erases them on the screen. */
  erase(count: number): string {
    const chars = Array.from(this.typed);
    const removed = chars.splice(Math.max(0, chars.length - count));
    if (removed.length === 0) return '';
    this.typed = chars.join('');
    this.typedBytes = Buffer.byteLength(this.typed);
    return '\b \b'.repeat(removed.length);
  }

  /** Enter: the whole line, and a fresh one begun; or the refusal when it ends in half a character. */
  take(): { line: string } | { refused: TypingRefused } {
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
  }

  private accept(bytes: number[]): Typed {
    if (bytes.length === 0) return { echo: '' };
    let text: string;
    try {
      this.decoder ??= new TextDecoder('utf-8', { fatal: true });
      text = this.decoder.decode(Buffer.from(bytes), { stream: true });
    } catch {
      return { echo: '', refused: { message: NOT_UTF8, reason: 'invalid UTF-8' } };
    }
    this.typedBytes += bytes.length;
    if (C1_CONTROLS.test(text)) return { echo: '', refused: { message: CONTROLS, reason: 'C1 control' } };
    if (this.typedBytes > this.maxLineBytes) return { echo: '', refused: { message: `Lines are limited to ${this.maxLineBytes} bytes`, reason: 'line too long' } };
    this.typed += text;
    return { echo: text };
  }

  // Arrow and function keys send escape sequences; they do nothing on a BBS line, so they are skipped.
  private skipEscape(byte: number): void {
    if (this.escape === 'esc') this.escape = byte === 0x5b ? 'csi' : byte === 0x4f ? 'ss3' : 'none';
    else if (this.escape === 'ss3' || byte < 0x20 || byte > 0x3f) this.escape = 'none';
  }
}
