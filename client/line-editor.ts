/**
 * The input line: editing, masking for secret prompts, and a history of earlier lines that never
 * holds anything typed at a secret prompt.
 */

/** What the input line shows: the text (masked when secret) and where the cursor is in it. */
export interface EditorView {
  readonly text: string;
  readonly cursor: number;
}

/** An editing key the line editor understands. */
export type EditKey = 'backspace' | 'delete' | 'left' | 'right' | 'home' | 'end' | 'up' | 'down' | 'kill-line' | 'kill-word';

const MAX_LINE_CHARS = 4000;

/** One line of input being typed, with its history. */
export class LineEditor {
  // Code points, so a cursor never lands inside a surrogate pair.
  private chars: string[] = [];
  private at = 0;
  private readonly history: string[] = [];
  private recalled: number | undefined;
  private draft: string[] = [];
  private secretLine = false;
  // Typed since the last line was taken, before the next prompt: not part of the prompt's answer.
  private ahead = true;

  constructor(private readonly historyLimit = 200) {}

  /** True while what is typed is secret: shown masked, never put in history, no recall. */
  get secret(): boolean {
    return this.secretLine;
  }

  /** The line as typed (unmasked). */
  get text(): string {
    return this.chars.join('');
  }

  /** Earlier lines, oldest first. */
  get earlier(): readonly string[] {
    return this.history;
  }

  /**
   * A new prompt: whatever was typed ahead stays, now shown as the prompt asks, except half a
   * line typed at a secret prompt when the new prompt echoes: that is dropped, never shown or sent.
   */
  setSecret(secret: boolean): void {
    if (this.secretLine && !secret && !this.ahead) this.clear();
    this.ahead = false;
    this.secretLine = secret;
    this.recalled = undefined;
  }

  /** Types text at the cursor; control characters are dropped. */
  insert(text: string): void {
    const typed = [...text.replace(/[\x00-\x1f\x7f-\x9f]/g, '')].slice(0, MAX_LINE_CHARS - this.chars.length);
    this.chars.splice(this.at, 0, ...typed);
    this.at += typed.length;
  }

  /** Applies an editing key. */
  edit(key: EditKey): void {
    switch (key) {
      case 'backspace':
        if (this.at > 0) this.chars.splice(--this.at, 1);
        return;
      case 'delete':
        this.chars.splice(this.at, 1);
        return;
      case 'left':
        this.at = Math.max(0, this.at - 1);
        return;
      case 'right':
        this.at = Math.min(this.chars.length, this.at + 1);
        return;
      case 'home':
        this.at = 0;
        return;
      case 'end':
        this.at = this.chars.length;
        return;
      case 'kill-line':
        this.chars.splice(0, this.at);
        this.at = 0;
        return;
      case 'kill-word': {
        let start = this.at;
        while (start > 0 && this.chars[start - 1] === ' ') start--;
        while (start > 0 && this.chars[start - 1] !== ' ') start--;
        this.chars.splice(start, this.at - start);
        this.at = start;
        return;
      }
      case 'up':
      case 'down':
        return this.recall(key === 'up' ? -1 : 1);
    }
  }

  /** Takes the finished line, remembering it unless it was secret, blank or a repeat. */
  submit(): string {
    const line = this.text;
    if (!this.secretLine) this.remember(line);
    this.clear();
    return line;
  }

  /** Adds a line sent some other way (typed ahead, say) to the history, unless blank or a repeat. */
  remember(line: string): void {
    if (line.trim() === '' || this.history.at(-1) === line) return;
    this.history.push(line);
    if (this.history.length > this.historyLimit) this.history.shift();
  }

  /** Forgets the line being typed (the history stays); what is typed next is ahead of the next prompt. */
  clear(): void {
    this.chars = [];
    this.at = 0;
    this.recalled = undefined;
    this.ahead = true;
  }

  /** The line as shown: `*` for each character when secret. */
  view(): EditorView {
    return { text: this.secretLine ? '*'.repeat(this.chars.length) : this.text, cursor: this.at };
  }

  private recall(step: -1 | 1): void {
    if (this.secretLine || this.history.length === 0) return;
    const from = this.recalled ?? this.history.length;
    const to = Math.min(Math.max(from + step, 0), this.history.length);
    if (to === from) return;
    if (this.recalled === undefined) this.draft = this.chars;
    this.recalled = to === this.history.length ? undefined : to;
    this.chars = this.recalled === undefined ? this.draft : [...(this.history[to] ?? '')];
    this.at = this.chars.length;
  }
}
