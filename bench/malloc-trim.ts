/**
 * glibc's malloc_trim(0) called in another process through gdb: malloc gives the system back the
 * free pages it kept (after a burst, free memory between live blocks stays in the RSS until reused).
 * Only for the bench's memory reading (--malloc-trim); the process is paused for the call.
 */
import { execFile, spawnSync } from 'node:child_process';

const GDB_TIMEOUT_MS = 60_000;

/** Whether gdb is installed. */
export function hasGdb(): boolean {
  return spawnSync('sh', ['-c', 'command -v gdb']).status === 0;
}

/** Calls malloc_trim(0) in `pid`; resolves undefined once made, or why it was not (gdb's own words). */
export function mallocTrim(pid: number): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('gdb', ['-nx', '-batch', '-p', String(pid), '-ex', 'call (int)malloc_trim(0)'], { timeout: GDB_TIMEOUT_MS }, (error, stdout, stderr) => {
      // gdb prints the call's value as `$1 = 0` or `$1 = 1` (whether memory was given back).
      if (/^\$1 = [01]$/m.test(String(stdout))) return done(undefined);
      const said = String(stderr).split('\n').find((line) => /ptrace|denied|not permitted|No such process|No symbol/i.test(line)) ?? String(stderr).trim().split('\n').at(-1) ?? '';
      done(said.slice(0, 200) || (error?.message ?? 'gdb printed no value'));
    });
  });
}
