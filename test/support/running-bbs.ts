/** `m2bbs start` run for a test on a database of its own, with a sysop's commands (`m2bbs drain|upgrade|add`) run against it. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFilePath, type RunFile } from '../../server/run-file.js';
import { HandlerProcess, M2BBS_BIN } from './handler-process.js';

/** A started BBS: its process, database, and ports from the banner. */
export interface RunningBbs {
  readonly bbs: HandlerProcess;
  readonly db: string;
  readonly http: number;
  readonly telnet: number;
}

/** Starts `m2bbs start` with `args` on `$DIR/bbs.db` (JSON log lines), resolving once the banner is printed. */
export async function startBbs(args: readonly string[], prepare?: (dir: string) => void): Promise<RunningBbs> {
  const bbs = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', '--log', 'json', ...args], {}, prepare);
  const banner = await bbs.waitForStdout(/telnet 127\.0\.0\.1 (\d+)\n\s+http:\/\/127\.0\.0\.1:(\d+)\//);
  return { bbs, db: join(bbs.dir, 'bbs.db'), telnet: Number(banner[1]), http: Number(banner[2]) };
}

/** What a run of `m2bbs ARGS...` printed, and its exit code. */
export interface CommandRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `m2bbs ARGS...` to its end (a sysop's one-shot command). */
export function m2bbs(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CommandRun> {
  return m2bbsRunning(args, env).done;
}

/** A sysop's command still running: what it printed so far, and its end. */
export interface RunningCommand {
  stdout(): string;
  readonly done: Promise<CommandRun>;
  /** SIGKILLs it if it still runs (for a test's cleanup). */
  kill(): void;
}

/** Starts `m2bbs ARGS...`, to read its output while it runs. */
export function m2bbsRunning(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCommand {
  const child = spawn(process.execPath, [M2BBS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CommandRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    stdout: () => stdout,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The run file `m2bbs start` wrote next to `db`, as written (not the trust checks of readRunFile: tests plant bad ones too). */
export function runFileOf(db: string): RunFile {
  return JSON.parse(readFileSync(runFilePath(db), 'utf8')) as RunFile;
}
