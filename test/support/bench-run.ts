/** Runs `m2bbs bench` as a child for a test, and stops it and all it started when the test ends. */
import { spawn } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { M2BBS_BIN } from './handler-process.js';
import { descendants, isRunning, untilAllGone } from './process-tree.js';

/** What a bench run printed, and its exit code. */
export interface BenchRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `m2bbs bench ARGS` to its end; a run still going when the test ends is stopped, with every process it started. */
export function runBench(args: readonly string[]): Promise<BenchRun> {
  const child = spawn(process.execPath, [M2BBS_BIN, 'bench', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // A failed or timed-out run: SIGINT lets the bench stop its m2bbs start and Mongrel2 (a SIGKILL
    // would leave them running); anything still there after that is killed by pid.
    const started = descendants(child.pid ?? 0);
    child.kill('SIGINT');
    await untilAllGone([child.pid ?? 0, ...started], 20_000).catch((error: unknown) => {
      for (const pid of [...started, child.pid ?? 0]) if (isRunning(pid)) tryKill(pid);
      throw error;
    });
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone between the check and the kill
  }
}
