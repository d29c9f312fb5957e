/**
 * A real pseudo-terminal through tmux, on a private server socket: start a shell, type into it,
 * read what it shows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach } from 'vitest';
import { M2BBS_BIN } from './handler-process.js';

/** True when the `tmux` command is installed. */
export function hasTmux(): boolean {
  return spawnSync('sh', ['-c', 'command -v tmux']).status === 0;
}

/** One tmux session running a shell. */
export class TmuxTerminal {
  private readonly dir = mkdtempSync(join(tmpdir(), 'm2bbs-tmux-'));
  private readonly socket = join(this.dir, 'tmux.sock');

  /** Starts a shell with the prompt `PROMPT` in a terminal of the given size. */
  constructor(columns = 100, rows = 30) {
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'dial', '-x', String(columns), '-y', String(rows), `env PS1='${TmuxTerminal.PROMPT}' sh`);
  }

  static readonly PROMPT = 'pty-shell$ ';

  /** Types text (tmux key names such as `Enter` and `C-c` when `keys`). */
  send(text: string, ...keys: string[]): void {
    if (text !== '') this.tmux('send-keys', '-t', 'dial', '-l', text);
    if (keys.length > 0) this.tmux('send-keys', '-t', 'dial', ...keys);
  }

  /** What the terminal shows now. */
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'dial');
  }

  /** What the terminal shows now, with its colour and style sequences (SGR). */
  captureStyled(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', 'dial');
  }

  /** A tmux format variable of the pane, such as `alternate_on`. */
  pane(variable: string): string {
    return this.tmux('display-message', '-p', '-t', 'dial', `#{${variable}}`).trim();
  }

  /**
   * Waits until the terminal shows what `match` wants. Polling the capture is how one waits on a
   * terminal's output; the interval is short and the deadline bounds it.
   */
  async until(match: (screen: string) => boolean, what: string, deadlineMs = 15_000): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const screen = this.capture();
      if (match(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${what}; it showed:\n${screen}`);
      await delay(25);
    }
  }

  /**
   * Records every byte the programs in the pane write to the terminal from now on, before the
   * terminal acts on them; the function returns what was recorded so far.
   */
  record(): () => Buffer {
    const file = join(this.dir, 'output.bin');
    this.tmux('pipe-pane', '-o', '-t', 'dial', `cat >> '${file}'`);
    return () => (existsSync(file) ? readFileSync(file) : Buffer.alloc(0));
  }

  /** Waits for the shell, then runs `m2bbs dial ARGS...` in it (`ARGS` such as `127.0.0.1:PORT`). */
  async dial(...args: string[]): Promise<void> {
    await this.shellBack();
    this.send(`${process.execPath} ${M2BBS_BIN} dial ${args.join(' ')}`, 'Enter');
  }

  /** Waits for the shell prompt to be the last thing on the screen. */
  shellBack(): Promise<string> {
    return this.until((screen) => screen.trimEnd().endsWith(TmuxTerminal.PROMPT.trimEnd()), 'the shell prompt');
  }

  close(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server']);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }
}

/** The input line of `m2bbs dial`'s full-screen client: the third row from the bottom of the pane. */
export function dialInputRow(screen: string): string {
  return screen.split('\n').at(-3) ?? '';
}

/**
 * A terminal for each test of the describe this is called in (made by the getter on first use,
 * closed after the test, even a failed one).
 */
export function terminalPerTest(columns = 100, rows = 30): () => TmuxTerminal {
  let term: TmuxTerminal | undefined;
  afterEach(() => {
    term?.close();
    term = undefined;
  });
  return () => (term ??= new TmuxTerminal(columns, rows));
}
