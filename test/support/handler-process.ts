/** Starts a real `m2bbs` child process (a handler, or `m2bbs start`) and follows its JSON-lines log. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { parseChildMessage, type ChildMessage } from '../../common/child-channel.js';

export const M2BBS_BIN = fileURLToPath(new URL('../../bin/m2bbs.js', import.meta.url));

export type LogRecord = Readonly<Record<string, unknown>> & { readonly msg?: string };

// Each process's temp folder, until `stop` removes it: a test that only awaits `exited` (a process
// that stops by itself) leaves it to the end of its test file (this module is loaded afresh for
// each file, so the hook is each file's), so no test leaves one in the temp folder. The worker's
// exit is not enough: vitest may end a worker without it.
const UNREMOVED = new Set<string>();
function removeUnremoved(): void {
  for (const dir of UNREMOVED) rmSync(dir, { recursive: true, force: true });
  UNREMOVED.clear();
}
afterAll(removeUnremoved);
process.once('exit', removeUnremoved);

export class HandlerProcess {
  readonly records: LogRecord[] = [];
  /** What the child said on its supervisor channel (only with `channel: true`). */
  readonly messages: ChildMessage[] = [];
  stderrText = '';
  stdoutText = '';
  private readonly watchers = new Set<() => void>();
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess, readonly dir: string) {
    if (dir !== '') UNREMOVED.add(dir);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdoutText += chunk;
      for (const watch of this.watchers) watch();
    });
    let buffered = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrText += chunk;
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          this.records.push(JSON.parse(line) as LogRecord);
        } catch {
          this.records.push({ msg: line });
        }
        for (const watch of this.watchers) watch();
      }
    });
    child.on('message', (value: unknown) => {
      const message = parseChildMessage(value);
      if (message !== undefined) this.messages.push(message);
      for (const watch of this.watchers) watch();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => {
      for (const watch of this.watchers) watch();
      resolve(code);
    }));
  }

  /**
   * Starts `m2bbs handler` with a database in a fresh temp folder, with the supervisor's channel
   * unless `channel: false` (then it runs as by hand: start-up errors printed, no ready message).
   */
  static start(args: readonly string[], options: { readonly db?: boolean; readonly channel?: boolean } = {}): HandlerProcess {
    // A handler given its database by the test needs no folder of its own (none to leave behind).
    const dir = options.db === false ? '' : mkdtempSync(join(tmpdir(), 'm2bbs-handler-'));
    const dbArgs = options.db === false ? [] : ['--db', join(dir, 'bbs.db')];
    const stdio = options.channel === false ? ['ignore', 'pipe', 'pipe'] as const : ['ignore', 'pipe', 'pipe', 'ipc'] as const;
    const child = spawn(process.execPath, [M2BBS_BIN, 'handler', ...dbArgs, ...args], { stdio: [...stdio] });
    return new HandlerProcess(child, dir);
  }

  /** Starts `m2bbs ARGS...` with the supervisor's channel, as `m2bbs start` runs its children. */
  static supervised(args: readonly string[]): HandlerProcess {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-run-'));
    const child = spawn(process.execPath, [M2BBS_BIN, ...args.map((arg) => arg.replaceAll('$DIR', dir))], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    return new HandlerProcess(child, dir);
  }

  /** Resolves with the first channel message (past or future) of `type`. */
  waitForMessage<T extends ChildMessage['type']>(type: T, match: (message: Extract<ChildMessage, { type: T }>) => boolean = () => true): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.messages.find((m): m is Extract<ChildMessage, { type: T }> => m.type === type && match(m as Extract<ChildMessage, { type: T }>));
        if (found !== undefined) {
          this.watchers.delete(check);
          resolve(found);
        } else if (this.child.exitCode !== null) {
          this.watchers.delete(check);
          reject(new Error(`process exited (${this.child.exitCode}) before saying ${type}; stderr:\n${this.stderrText}`));
        }
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Resolves once a handler started with its channel says it is ready. */
  ready(): Promise<unknown> {
    return this.waitForMessage('backend-ready');
  }

  /** Starts `m2bbs ARGS...` as it is, in a fresh temp folder it may use (laid out first by `prepare`), with `env` added to the environment. */
  static run(args: readonly string[], env: NodeJS.ProcessEnv = {}, prepare?: (dir: string) => void): HandlerProcess {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-run-'));
    prepare?.(dir);
    const child = spawn(process.execPath, [M2BBS_BIN, ...args.map((arg) => arg.replaceAll('$DIR', dir))], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    return new HandlerProcess(child, dir);
  }

  /** Resolves with the stdout text once it matches `pattern`. */
  waitForStdout(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.stdoutText);
        if (match !== null) {
          this.watchers.delete(check);
          resolve(match);
        } else if (this.child.exitCode !== null) {
          this.watchers.delete(check);
          reject(new Error(`process exited (${this.child.exitCode}) before ${String(pattern)} was printed; stderr:\n${this.stderrText}`));
        }
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Resolves with the first log record (past or future) that `match` accepts. */
  waitForLog(match: (record: LogRecord) => boolean, after = 0): Promise<LogRecord> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.records.slice(after).find(match);
        if (found !== undefined) {
          this.watchers.delete(check);
          resolve(found);
        } else if (this.child.exitCode !== null) {
          this.watchers.delete(check);
          reject(new Error(`handler exited (${this.child.exitCode}) before the log line came; stderr:\n${this.stderrText}`));
        }
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Stops the process at once (SIGINT: a handler's SIGTERM drains, waiting for its calls to be moved) and removes its temp folder. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    const code = await this.exited;
    if (this.dir !== '') rmSync(this.dir, { recursive: true, force: true });
    UNREMOVED.delete(this.dir);
    return code;
  }
}
