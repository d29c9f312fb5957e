/**
 * `<db>.run`: how the commands of a sysop (`m2bbs drain`, `upgrade`, `add`) find the `m2bbs start`
 * running on a database: its pid, its control socket and the token a request must carry. Written
 * 0600 (the token is a password of sorts), removed at stop; one whose pid is gone is stale.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BbsError } from '../common/errors.js';

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

/** True while process `pid` runs as an `m2bbs start` (a pid reused by another program after a crash reads as not ours on Linux). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: a process of another user took the pid, so not ours either.
    return false;
  }
  try {
    // Arguments are NUL-separated: ` start ` is the command word, not part of a path or a value.
    const words = ` ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')} `;
    return words.includes('m2bbs') && words.includes(' start ');
  } catch {
    // No /proc (not Linux): the signal test is all there is.
    return true;
  }
}

// Why a file or folder is not one this user alone made, or undefined when it is.
function notOurs(path: string, what: string, kind: 'file' | 'folder'): string | undefined {
  const stat = kind === 'file' ? lstatSync(path) : statSync(path);
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return `${what} ${path} is not a ${kind}`;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `${what} ${path} belongs to user ${stat.uid}, not to this user (${uid})`;
  if ((stat.mode & 0o077) !== 0) return `${what} ${path} may be read by other users (mode ${(stat.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * The run file of `db` when one is there and its `m2bbs start` still runs; undefined when none or
 * stale. Throws (BBS_ERR_CONTROL_FAILED) for one this user did not write alone, or whose control
 * socket is not in a private folder of this user: another user could have planted it to answer
 * the sysop's commands with forged results.
 */
export function readRunFile(db: string): RunFile | undefined {
  const path = runFilePath(db);
  let text: string;
  try {
    const planted = notOurs(path, 'the run file', 'file');
    if (planted !== undefined) throw new BbsError('BBS_ERR_CONTROL_FAILED', `${planted}; not trusted (m2bbs start writes it 0600); remove it if no BBS runs on ${db}`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<RunFile> | null;
    if (value === null || typeof value.pid !== 'number' || typeof value.control !== 'string' || typeof value.token !== 'string') return undefined;
    if (!isAlive(value.pid)) return undefined;
    if (!isAbsolute(value.control)) throw new BbsError('BBS_ERR_CONTROL_FAILED', `the run file ${path} names a control socket that is not an absolute path; not trusted`);
    const folder = notOurs(dirname(value.control), 'the control socket\'s folder', 'folder');
    if (folder !== undefined) throw new BbsError('BBS_ERR_CONTROL_FAILED', `${folder}; not trusted (m2bbs start keeps it 0700)`);
    return { pid: value.pid, control: value.control, token: value.token };
  } catch (error) {
    // Not JSON, or a folder gone with a start that was killed: stale.
    if (error instanceof BbsError) throw error;
    return undefined;
  }
}

/** Writes `run` as the run file of `db` (0600, replacing a stale one whole); returns a function that removes it if it is still ours. */
export function writeRunFile(db: string, run: RunFile): () => void {
  const path = runFilePath(db);
  // A name nobody can guess, made new ('wx': never through a planted symlink, never an old file
  // keeping its mode), 0600 from the first byte, then renamed over whatever stale file was there.
  const partial = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(partial, `${JSON.stringify(run)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(partial, path);
  return () => removeRunFile(path, run.token);
}

/** Removes the run file at `path` if it still carries `token` (another `m2bbs start` on the same database may have written its own since). */
export function removeRunFile(path: string, token: string): void {
  try {
    const now = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunFile>;
    if (now.token === token) rmSync(path, { force: true });
  } catch {
    // Already gone.
  }
}

/** Throws BBS_ERR_ALREADY_RUNNING when an `m2bbs start` already runs on `db` (a live, trusted run file). */
export function refuseSecondStart(db: string): void {
  let running;
  try {
    running = readRunFile(db);
  } catch {
    // A run file not to be trusted names no BBS of ours: it is replaced once this one is up.
    return;
  }
  // A second start would take the run file over (and remove it when it stops), leaving the first
  // BBS serving where a sysop's commands cannot find it: refused before anything is bound.
  if (running !== undefined) {
    throw new BbsError('BBS_ERR_ALREADY_RUNNING', `m2bbs start: a BBS already runs on this database (${db}), pid ${running.pid}; stop it first (or give another --db)`);
  }
}
