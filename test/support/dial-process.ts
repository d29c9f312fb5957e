/** Runs `m2bbs dial` as a real process with a script piped to its stdin. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/m2bbs.js', import.meta.url));

export interface DialRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `m2bbs dial ARGS` with `script` on stdin; resolves when it exits. */
export function runDial(args: readonly string[], script: string): Promise<DialRun> {
  const child = spawn(process.execPath, [BIN, 'dial', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // The client may be gone before the whole script is written (it hung up, or nothing answered).
  child.stdin.on('error', () => {});
  child.stdin.end(script);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
