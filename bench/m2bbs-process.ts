/**
 * An m2bbs command (`m2bbs handler`, `m2bbs proxy`) run by the bench as its own process, its log in
 * a file: started, waited on by what it logs, stopped by a signal (SIGKILL if it lingers), and
 * killed if the bench exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BbsError } from '../common/errors.js';

const M2BBS_BIN = fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url));

/** Runs `m2bbs ...args` with its log (stderr) going to `log`. */
export function startM2bbs(args: readonly string[], log: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, [M2BBS_BIN, ...args], { stdio: ['ignore', 'ignore', fd], env });
  closeSync(fd);
  killedWithTheBench(child);
  return child;
}

/** SIGKILLs `child` if the bench exits while it runs. */
export function killedWithTheBench(child: ChildProcess): void {
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
}

/** Stops `child` with `signal` (SIGINT stops an m2bbs handler at once; SIGTERM drains it first), SIGKILL after 10 s. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(late);
}

/** The log records in `file` whose message is `msg`, in order. */
export function loggedRecords(file: string, msg: string): Record<string, unknown>[] {
  const needle = `"msg":${JSON.stringify(msg)}`;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(needle))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Resolves with the `count`th record of `msg` in `log` once `child` has logged it; fails if it exits first or after `timeoutMs`. */
export async function untilLogged(child: ChildProcess, log: string, msg: string, timeoutMs = 30_000, count = 1): Promise<Record<string, unknown>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = loggedRecords(log, msg)[count - 1];
    if (found !== undefined) return found;
    if (child.exitCode !== null || child.signalCode !== null) throw new BbsError('BBS_ERR_UNREACHABLE', `${child.spawnargs.slice(2, 4).join(' ')} exited before it logged "${msg}"; see ${log}`);
    if (performance.now() > deadline) throw new BbsError('BBS_ERR_UNREACHABLE', `${child.spawnargs.slice(2, 4).join(' ')} did not log "${msg}"${count > 1 ? ` ${count} times` : ''} within ${timeoutMs} ms; see ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
