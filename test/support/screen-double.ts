/**
 * The full-screen client on stream doubles for a terminal: keystrokes go in as bytes, the screen
 * is read from blessed's own buffer, and every byte blessed wrote is kept.
 */
import { PassThrough, Writable } from 'node:stream';
import { startScreenUi, type ScreenUi, type ScreenUiOptions } from '../../client/screen-ui.js';

/** Keys as a terminal sends them. */
export const KEY = { enter: '\r', up: '\x1b[A', down: '\x1b[B', pageUp: '\x1b[5~', pageDown: '\x1b[6~', backspace: '\x7f', ctrlC: '\x03', ctrlD: '\x04', ctrlU: '\x15' } as const;

/** A terminal's output stream: records bytes, has a size, and can be resized. */
export class TerminalOutput extends Writable {
  bytes = '';
  constructor(public columns: number, public rows: number) {
    super({ write: (chunk: Buffer | string, _encoding, done) => ((this.bytes += chunk.toString()), done()) });
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** The full-screen client running on stream doubles, with ways to wait on what it draws. */
export class ScreenDouble {
  readonly input = new PassThrough();
  readonly output: TerminalOutput;
  readonly ui: ScreenUi;
  /** Every distinct screen drawn, in order. */
  readonly drawn: string[] = [];

  constructor(options: Omit<ScreenUiOptions, 'input' | 'output' | 'terminal'>, columns = 100, rows = 30) {
    this.output = new TerminalOutput(columns, rows);
    this.ui = startScreenUi({ ...options, input: this.input, output: this.output, terminal: 'xterm-256color', resizeTimeoutMs: 0 });
    this.ui.onRender(() => {
      const text = this.text();
      if (this.drawn.at(-1) !== text) this.drawn.push(text);
    });
  }

  text(): string {
    return this.ui.snapshot().join('\n');
  }

  /** The input line, right-trimmed. */
  inputRow(): string {
    return (this.ui.snapshot().at(-2) ?? '').trimEnd();
  }

  statusRow(): string {
    return this.ui.snapshot().at(-1) ?? '';
  }

  /** Types bytes as a terminal would send them. */
  type(...keys: string[]): void {
    for (const key of keys) this.input.write(key);
  }

  /** Types keys and resolves after the redraw they cause. */
  press(...keys: string[]): Promise<void> {
    const drawn = new Promise<void>((resolve) => {
      const stop = this.ui.onRender(() => {
        stop();
        resolve();
      });
    });
    this.type(...keys);
    return drawn;
  }

  /** Resolves once a redraw makes `match` true of the screen (or it already is). */
  until(match: (screen: string) => boolean, what = 'the expected screen'): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const text = this.text();
        if (!match(text)) return false;
        stop();
        clearTimeout(timer);
        resolve(text);
        return true;
      };
      const stop = this.ui.onRender(() => void check());
      // Only a guard against waiting forever; the wait itself is on redraws.
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`never saw ${what}; the screen was:\n${this.text()}`));
      }, 10_000);
      check();
    });
  }

  /** The pane's last line with anything on it. */
  lastPaneLine(): string {
    return this.ui.snapshot().slice(0, -2).filter((row) => row.trim() !== '').at(-1)?.trimEnd() ?? '';
  }

  /** Waits for the pane's last line to contain text. */
  paneEndsWith(text: string): Promise<string> {
    return this.until(() => this.lastPaneLine().includes(text), `${JSON.stringify(text)} as the last line`);
  }

  /** Waits for text to show anywhere on the screen. */
  shows(text: string): Promise<string> {
    return this.until((screen) => screen.includes(text), JSON.stringify(text));
  }
}
