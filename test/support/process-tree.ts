/**
 * The processes a test started and those they started in turn, read from /proc (Linux): which
 * are alive, what they run, and waiting until they are gone. Pids, never log lines.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Entry {
  readonly pid: number;
  readonly ppid: number;
  readonly zombie: boolean;
}

function entry(pid: number): Entry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields follow the last ')'.
    const [state = '', ppid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), zombie: state === 'Z' || state === 'X' };
  } catch {
    return undefined;
  }
}

function allEntries(): Entry[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => entry(Number(name)) ?? []);
}

/** True while `pid` runs (a zombie, exited but not yet reaped, counts as gone). */
export function isRunning(pid: number): boolean {
  const e = entry(pid);
  if (e === undefined) return false;
  // The main thread turns zombie first; the process holds its files (ports) until every thread has gone.
  try {
    return readdirSync(`/proc/${pid}/task`).some((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    });
  } catch {
    return !e.zombie;
  }
}

/** The command line of `pid`, its arguments joined by spaces ('' once it has gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every running process below `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const entries = allEntries().filter((e) => !e.zombie);
  const found: number[] = [];
  let parents = [pid];
  while (parents.length > 0) {
    const children = entries.filter((e) => parents.includes(e.ppid)).map((e) => e.pid);
    found.push(...children);
    parents = children;
  }
  return found;
}

/** Every running process whose command line matches `pattern`. */
export function processesMatching(pattern: RegExp): number[] {
  return allEntries()
    .filter((e) => !e.zombie && pattern.test(commandLine(e.pid)))
    .map((e) => e.pid);
}

/** Polls until `check` returns a value that is not undefined, failing after `deadlineMs`. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, what: string, deadlineMs = 15_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The one running process below `root` whose command line matches `pattern`, once there is one. */
export function childRunning(root: number, pattern: RegExp, what: string): Promise<number> {
  return until(() => descendants(root).find((pid) => pattern.test(commandLine(pid))), what);
}

/** Waits until none of `pids` runs; fails naming those still running after `deadlineMs`. */
export async function untilAllGone(pids: readonly number[], deadlineMs = 10_000): Promise<void> {
  await until(() => (pids.some(isRunning) ? undefined : true), 'the processes to end', deadlineMs).catch(() => {
    const left = pids.filter(isRunning).map((pid) => `${pid} ${commandLine(pid)}`);
    throw new Error(`still running after ${deadlineMs} ms:\n  ${left.join('\n  ')}`);
  });
}

/** Kills every one of `pids` still running m2bbs, for a test's cleanup after a failure. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      // A pid reused since by something else is left alone.
      if (isRunning(pid) && commandLine(pid).includes('m2bbs')) process.kill(pid, 'SIGKILL');
    } catch {
      // gone between the check and the kill
    }
  }
}
