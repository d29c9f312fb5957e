/**
 * A measuring window for --profile: the bench drops a marker file in the profile folder when its
 * window opens and another when it closes; each profiled process of the BBS (cpu-profiler.ts)
 * starts its profile again at the first and writes it at the second, so the hottest functions
 * are those of the window, not of start-up and logins. The bench profiles itself the same way.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/** The marker files' names in the profile folder. */
export const WINDOW_START = 'window-start.mark';
export const WINDOW_END = 'window-end.mark';

/** Removes markers an earlier run left in `dir`. */
export function clearProfileMarks(dir: string): void {
  for (const name of [WINDOW_START, WINDOW_END]) rmSync(join(dir, name), { force: true });
}

/** Opens the window: every profiled process starts again, and so does a profile of this process; the returned function closes it. */
export function openProfileWindow(dir: string): () => void {
  writeFileSync(join(dir, WINDOW_START), '');
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  return () => {
    writeFileSync(join(dir, WINDOW_END), '');
    session.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      session.disconnect();
    });
  };
}
