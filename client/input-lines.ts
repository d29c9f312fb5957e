/**
 * Lines from stdin for the plain client, one per prompt. From a pipe every line is read as it
 * comes; from a terminal a secret line is read with echo off (raw mode) and the terminal is put
 * back the moment the line is done.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** A readable that may be a terminal (process.stdin is one). */
export type LineInput = Readable & { readonly isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** Reads lines from `input` on demand; undefined once the input has ended. */
export class InputLines {
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines: string[] = [];
  private partial = '';
  private ended = false;
  private secret = false;
  private waiter: ((line: string | undefined) => void) | undefined;
  private readonly onData = (chunk: Buffer | string): void => this.take(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  private readonly onEnd = (): void => {
    this.ended = true;
    if (this.partial !== '') this.finish();
    this.restore();
    this.wake();
  };

  /** `onInterrupt` is called for Ctrl-C typed while echo is off (raw mode sends no SIGINT). */
  constructor(
    private readonly input: LineInput,
    private readonly onInterrupt: () => void,
  ) {
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.on('error', this.onEnd);
  }

  /** The next line; a secret one is read without echo when the input is a terminal. */
  next(secret: boolean): Promise<string | undefined> {
    // Half a secret line, then a prompt that echoes (a moved call asking the name again): the half
    // password is dropped, never the start of an echoed answer, and the terminal echoes again.
    if (this.secret && !secret) {
      this.partial = '';
      this.restore();
    }
    if (this.lines.length > 0 || this.ended) return Promise.resolve(this.lines.shift());
    if (secret && this.input.isTTY === true && this.input.setRawMode !== undefined) {
      this.input.setRawMode(true);
      this.secret = true;
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Stops reading and gives the terminal back as it was. */
  close(): void {
    this.restore();
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onEnd);
    this.input.pause();
    this.ended = true;
    this.wake();
  }

  private take(text: string): void {
    for (const ch of text) {
      if (this.secret) this.rawKey(ch);
      else if (ch === '\n') this.finish();
      else this.partial += ch;
    }
    this.wake();
  }

  // With echo off the terminal does no line editing, so the few keys that matter are done here.
  private rawKey(ch: string): void {
    if (ch === '\r' || ch === '\n') return this.finish();
    if (ch === '\x7f' || ch === '\b') this.partial = [...this.partial].slice(0, -1).join('');
    else if (ch === '\x15') this.partial = '';
    else if (ch === '\x03') {
      this.partial = '';
      this.restore();
      this.onInterrupt();
    } else if (ch === '\x04' && this.partial === '') this.onEnd();
    else if (ch >= ' ' && ch !== '\x7f') this.partial += ch;
  }

  private finish(): void {
    this.lines.push(this.partial.replace(/\r$/, ''));
    this.partial = '';
    this.restore();
  }

  private restore(): void {
    if (!this.secret) return;
    this.secret = false;
    this.input.setRawMode?.(false);
  }

  private wake(): void {
    const waiter = this.waiter;
    if (waiter === undefined || (this.lines.length === 0 && !this.ended)) return;
    this.waiter = undefined;
    waiter(this.lines.shift());
  }
}
