/**
 * The full-screen client's behaviour without the screen: turns call events into pane lines, an
 * input line and a status bar, and keys into edits, lines sent, hang-ups and redials. The blessed
 * module only draws what this decides and passes keys in.
 */
import { BbsCall, type CallEvent, type CallOptions } from './bbs-call.js';
import { CallerName } from './caller-name.js';
import { LineEditor, type EditKey, type EditorView } from './line-editor.js';
import { OnlineClock, type StatusFacts } from './status-line.js';
import { RESET, splitColouredLines } from './server-text.js';

/** What the session draws on. */
export interface Surface {
  /** Appends lines (with colour sequences) to the pane. */
  print(lines: readonly string[]): void;
  /** Redraws the input line: the prompt character or redial offer, then what is typed. */
  input(prefix: string, view: EditorView): void;
  /** Redraws the status bar. */
  status(facts: StatusFacts): void;
}

/** Where to call, what to draw on, and the clock. */
export type DialSessionOptions = Omit<CallOptions, 'onEvent'> & {
  readonly surface: Surface;
  readonly now?: () => number;
};

const KEYS: Record<string, EditKey | 'enter' | 'quit'> = {
  enter: 'enter',
  'C-c': 'quit',
  'C-d': 'quit',
  backspace: 'backspace',
  'C-h': 'backspace',
  delete: 'delete',
  left: 'left',
  right: 'right',
  home: 'home',
  end: 'end',
  'C-a': 'home',
  'C-e': 'end',
  up: 'up',
  down: 'down',
  'C-u': 'kill-line',
  'C-w': 'kill-word',
};
const STYLE = { modem: '\x1b[1m', notice: '\x1b[33m', problem: '\x1b[31m', bbs: '', event: '\x1b[36m' } as const;
const PRINTABLE = /^[^\x00-\x1f\x7f-\x9f]+$/;
// The backend hangs up on a caller more than 32 lines ahead; the client keeps no more than that.
const MAX_TYPED_AHEAD = 32;
/** Shown in the input line once the call is over. */
export const REDIAL_OFFER = 'Enter redials, q quits: ';

/** One run of the full-screen client: calls, redials, and ends when the caller quits. */
export class DialSession {
  private readonly call: BbsCall;
  private readonly editor = new LineEditor();
  private readonly clock: OnlineClock;
  private names = new CallerName();
  private mode: 'calling' | 'ended' | 'quitting' = 'calling';
  private prefix = '';
  private asking: { readonly echo: boolean } | undefined;
  // Lines entered before the BBS asked for them wait for their prompt, which alone says whether
  // they are secret.
  private typedAhead: string[] = [];
  private quitNow: () => void = () => {};
  private shownName: string | undefined;
  /** Resolves once the caller has quit and the line is closed. */
  readonly done: Promise<void>;

  constructor(private readonly options: DialSessionOptions) {
    this.clock = new OnlineClock(options.now ?? Date.now);
    this.call = new BbsCall({ ...options, onEvent: (event) => this.onEvent(event) });
    this.done = new Promise((resolve) => (this.quitNow = resolve));
  }

  /** Dials, and draws the first input line and status. */
  start(): void {
    this.call.dial();
    this.drawInput();
  }

  /** A key from the terminal, by blessed-style name (`enter`, `C-c`, `a`) and the character it typed. */
  key(name: string, ch: string | undefined): void {
    if (this.mode === 'quitting') return;
    const action = KEYS[name];
    if (action === 'quit' || (this.mode === 'ended' && name === 'q')) return void this.quit();
    if (action === 'enter') this.enter();
    else if (action !== undefined && this.mode !== 'ended') this.editor.edit(action);
    else if (ch !== undefined && PRINTABLE.test(ch) && !/^[CM]-/.test(name) && this.mode !== 'ended') this.editor.insert(ch);
    else return;
    this.drawInput();
  }

  /** Redraws the status bar (the clock ticks). */
  refresh(): void {
    const facts = this.facts();
    this.shownName = facts.name;
    this.options.surface.status(facts);
  }

  /** Hangs up and ends the session. */
  async quit(): Promise<void> {
    if (this.mode === 'quitting') return this.done;
    this.mode = 'quitting';
    this.editor.clear();
    await this.call.hangUp();
    this.quitNow();
    return this.done;
  }

  /** Earlier lines the Up key can recall, for tests and the curious. */
  get history(): readonly string[] {
    return this.editor.earlier;
  }

  private facts(): StatusFacts {
    return { route: this.call.route, name: this.names.name, onlineMs: this.clock.ms, state: this.call.state };
  }

  private enter(): void {
    if (this.mode === 'ended') {
      this.mode = 'calling';
      this.call.dial();
      return;
    }
    const line = this.editor.text;
    this.editor.clear();
    if (this.asking !== undefined) this.answer(line, !this.asking.echo);
    else if (this.typedAhead.length < MAX_TYPED_AHEAD) this.typedAhead.push(line);
  }

  private answer(line: string, secret: boolean): void {
    if (!this.call.send(line)) return;
    if (!secret) this.editor.remember(line);
    this.names.answered(secret ? '' : line);
    this.print(`${this.prefix}${secret ? '' : line}`, 'bbs');
    this.prefix = '';
    this.asking = undefined;
  }

  private onEvent(event: CallEvent): void {
    switch (event.kind) {
      case 'modem':
        this.print(event.text, 'modem');
        break;
      case 'text':
        this.print(event.text, event.tone);
        break;
      case 'event':
        // The pane scrolls above the input line, which stays as it is: prompt, typing, cursor.
        this.print(event.text, 'event');
        break;
      case 'prompt':
        if (event.msg !== '') this.print(event.msg, 'bbs');
        this.names.prompt(event);
        // The status bar names the caller as soon as they are known, not at the clock's next tick.
        if (this.names.name !== this.shownName) this.refresh();
        this.editor.setSecret(!event.echo);
        this.prefix = event.pchar;
        this.asking = { echo: event.echo };
        if (this.typedAhead.length > 0) this.answer(this.typedAhead.shift() ?? '', !event.echo);
        break;
      case 'state':
        if (event.state === 'DIALLING') this.names = new CallerName();
        this.clock.lineState(event.state);
        this.refresh();
        break;
      case 'ended':
        if (this.mode === 'quitting') return;
        this.mode = 'ended';
        this.asking = undefined;
        this.typedAhead = [];
        this.editor.clear();
        this.editor.setSecret(false);
        this.prefix = REDIAL_OFFER;
        this.refresh();
        break;
    }
    this.drawInput();
  }

  private print(text: string, tone: keyof typeof STYLE): void {
    const style = this.options.colour ? STYLE[tone] : '';
    const lines = splitColouredLines(text).map((line) => (style === '' ? line : `${style}${line}${RESET}`));
    this.options.surface.print(lines);
  }

  private drawInput(): void {
    this.options.surface.input(this.prefix, this.editor.view());
  }
}
