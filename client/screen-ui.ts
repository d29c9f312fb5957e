/**
 * The full-screen client on blessed: the pane, the input line and the status bar. The only module
 * that imports blessed; what to show and what keys do is decided in dial-session.ts.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { Readable, Writable } from 'node:stream';
import type { DialConfig } from './dial-config.js';
import { DialSession } from './dial-session.js';
import type { EditorView } from './line-editor.js';
import type { ChooseNextNumber } from './next-number.js';
import { formatStatus, type StatusFacts } from './status-line.js';

/** The terminal the screen draws on, and the call to place. */
export interface ScreenUiOptions extends Omit<DialConfig, 'plain'> {
  readonly input: Readable;
  readonly output: Writable;
  /** A terminfo name blessed can use (see blessedTerminal). */
  readonly terminal: string;
  readonly chooseNext?: ChooseNextNumber;
  readonly now?: () => number;
  readonly resizeTimeoutMs?: number;
}

/** A running full-screen client. */
export interface ScreenUi {
  readonly session: DialSession;
  /** Resolves once the caller has quit; the terminal is restored by then. */
  readonly done: Promise<void>;
  /** The screen as last drawn, one string per row. */
  snapshot(): string[];
  /** The foreground colour (0-255, or -1 for the default) last drawn at a row and column. */
  foreground(row: number, col: number): number;
  /** Calls `listener` after every redraw; returns a function that stops it. */
  onRender(listener: () => void): () => void;
  /** Restores the terminal at once (also safe after it was restored). */
  destroy(): void;
}

type Cell = [number, string];
const SCROLLBACK = 5000;

/** A terminfo name blessed draws correctly with, for the TERM the caller has. */
export function blessedTerminal(term: string | undefined): string {
  // blessed cannot read ncurses 6's terminfo format for many names and prints parse errors on the
  // way; every terminal m2bbs meets speaks xterm, and blessed carries its own xterm entries.
  if (term === undefined || term === '' || term === 'dumb') return 'xterm';
  if (term.startsWith('linux')) return 'linux';
  return /256|direct|truecolor|kitty|alacritty|foot|wezterm/.test(term) ? 'xterm-256color' : 'xterm';
}

/** Starts the full-screen client on the given streams and dials. */
export function startScreenUi(options: ScreenUiOptions): ScreenUi {
  const screenOptions = {
    input: options.input,
    output: options.output,
    terminal: options.terminal,
    smartCSR: false,
    fullUnicode: true,
    autoPadding: false,
    warnings: false,
    resizeTimeout: options.resizeTimeoutMs ?? 50,
  };
  const screen = blessed.screen(screenOptions as unknown as Widgets.IScreenOptions);
  let destroyed = false;
  let ticker: NodeJS.Timeout | undefined;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    clearInterval(ticker);
    screen.destroy();
  };
  try {
    const pane = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%-2', tags: false, scrollable: true, alwaysScroll: true, wrap: true });
    const inputLine = blessed.box({ parent: screen, bottom: 1, left: 0, width: '100%', height: 1, tags: false });
    const statusBar = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: false, style: { inverse: true } });
    // The pane's lines are kept here and set whole: blessed's own line insertion loses lines.
    let paneLines: string[] = [];
    let paneChanged = false;
    let cursorColumn = 0;
    let lastStatus: StatusFacts | undefined;
    let renderQueued = false;
    const render = (): void => {
      if (renderQueued || destroyed) return;
      renderQueued = true;
      setImmediate(() => {
        renderQueued = false;
        if (destroyed) return;
        if (paneChanged) {
          paneChanged = false;
          pane.setContent(paneLines.join('\n'));
          pane.setScrollPerc(100);
        }
        screen.render();
      });
    };
    const drawStatus = (): void => {
      if (lastStatus !== undefined) statusBar.setContent(formatStatus(lastStatus, Math.max(Number(screen.width), 1)));
    };
    let lastInput: { prefix: string; view: EditorView } = { prefix: '', view: { text: '', cursor: 0 } };
    const drawInput = (): void => {
      const { prefix, view } = lastInput;
      const chars = [...prefix, ...view.text];
      const cursor = [...prefix].length + view.cursor;
      // Long lines scroll sideways so the cursor always shows.
      const width = Math.max(Number(screen.width) - 1, 1);
      const start = Math.max(0, cursor - width);
      inputLine.setContent(chars.slice(start, start + width + 1).join(''));
      cursorColumn = cursor - start;
    };
    const session = new DialSession({
      ...options,
      // The BBS wraps its screens to the pane, which is as wide as the terminal.
      columns: () => Number(screen.width),
      surface: {
        print(lines) {
          paneLines.push(...lines);
          if (paneLines.length > SCROLLBACK) paneLines = paneLines.slice(-SCROLLBACK);
          paneChanged = true;
          render();
        },
        input(prefix, view) {
          lastInput = { prefix, view };
          drawInput();
          render();
        },
        status(facts) {
          lastStatus = facts;
          drawStatus();
          render();
        },
      },
    });
    // What the terminal shows is what was last rendered; blessed's buffer changes in between.
    let frame: Cell[][] = [];
    screen.on('render', () => {
      frame = rows(screen).map((row) => row.map((cell): Cell => [cell[0], cell[1]]));
      screen.program.cup(Number(screen.height) - 2, cursorColumn);
      screen.program.showCursor();
    });
    screen.on('resize', () => {
      drawStatus();
      drawInput();
      render();
    });
    screen.on('keypress', (ch: string | undefined, key: Widgets.Events.IKeyEventArg | undefined) => {
      const name = key?.full ?? ch ?? '';
      if (name === 'pageup' || name === 'pagedown') {
        pane.scroll((name === 'pageup' ? -1 : 1) * Math.max(Number(pane.height) - 1, 1));
        return render();
      }
      // blessed reports Enter twice, as "return" and then as "enter".
      if (name !== 'return') session.key(name, ch);
    });
    ticker = setInterval(() => session.refresh(), 1000);
    ticker.unref();
    const done = session.done.finally(destroy);
    session.start();
    screen.render();
    return {
      session,
      done,
      destroy,
      snapshot: () => frame.map((row) => row.map((cell) => cell[1]).join('')),
      foreground: (row, col) => {
        const fg = ((frame[row]?.[col]?.[0] ?? 0x1ff << 9) >> 9) & 0x1ff;
        return fg === 0x1ff ? -1 : fg;
      },
      onRender(listener) {
        screen.on('render', listener);
        return () => screen.off('render', listener);
      },
    };
  } catch (error) {
    destroy();
    throw error;
  }
}

/** Runs the full-screen client on this process's terminal; resolves with the exit status. */
export async function runScreenDial(config: DialConfig & { readonly chooseNext?: ChooseNextNumber }, terminal: string): Promise<number> {
  const ui = startScreenUi({ ...config, input: process.stdin, output: process.stdout, terminal });
  // Whatever goes wrong, the caller gets their terminal back before the error is shown.
  const crash = (error: unknown): void => {
    ui.destroy();
    console.error('m2bbs dial: stopped by an internal error:', error);
    process.exit(1);
  };
  const hangUp = (): void => void ui.session.quit();
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, hangUp);
  try {
    await ui.done;
    return 0;
  } finally {
    ui.destroy();
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(signal, hangUp);
  }
}

function rows(screen: Widgets.Screen): Cell[][] {
  return (screen as unknown as { lines: Cell[][] }).lines;
}
