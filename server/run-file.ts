/**
 * `<db>.run`: how the commands of a sysop (`m2bbs drain`, `upgrade`, `add`) find the `m2bbs start`
 * running on a database: its pid, its control socket and the token a request must carry. Written
 * 0600 (the token is a password of sorts), removed at stop; one whose pid is gone is stale.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** What `<db>.run` holds. */
export interface RunFile {
  readonly pid: number;
  /** The control socket's path (absolute). */
  readonly control: string;
  readonly token: string;
}

/** The run file's path for database `db` (as `--db` gives it, relative to the working folder). */
export function runFilePath(db: string): string {
  return `${resolve(db)}.run`;
}

/** A fresh random token for the control socket. */
export function newControlToken(): string {
  return randomBytes(32).toString('hex');
}

/** True while process `pid` runs (a pid reused by another program after a crash reads as not ours on Linux). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: a process of another user took the pid, so not ours either.
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('m2bbs');
  } catch {
    // No /proc (not Linux): the signal test is all there is.
    return true;
  }
}

/** The run file of `db` when one is there and its `m2bbs start` still runs; undefined when none or stale. */
export function readRunFile(db: string): RunFile | undefined {
  let text: string;
  try {
    text = readFileSync(runFilePath(db), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<RunFile> | null;
    if (value === null || typeof value.pid !== 'number' || typeof value.control !== 'string' || typeof value.token !== 'string') return undefined;
    return isAlive(value.pid) ? { pid: value.pid, control: value.control, token: value.token } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `run` as the run file of `db` (0600, replacing a stale one whole); returns a function that removes it if it is still ours. */
export function writeRunFile(db: string, run: RunFile): () => void {
  const path = runFilePath(db);
  const partial = `${path}.${process.pid}.tmp`;
  // Made 0600 from the first byte, then renamed over whatever stale file was there.
  writeFileSync(partial, `${JSON.stringify(run)}\n`, { mode: 0o600, flag: 'w' });
  renameSync(partial, path);
  return () => {
    try {
      const now = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunFile>;
      // Another `m2bbs start` on the same database wrote its own since: not ours to remove.
      if (now.token === run.token) rmSync(path, { force: true });
    } catch {
      // Already gone.
    }
  };
}
