/**
 * Loaded into each process of a BBS under --profile (NODE_OPTIONS="--import tsx --import THIS",
 * as NODE_OPTIONS may not carry --cpu-prof): samples the CPU through the inspector and writes
 * M2BBS_PROFILE_DIR/PID.cpuprofile, which Chrome DevTools also opens. It profiles from start to
 * exit, unless the bench marks a window (profile-window.ts): then only what ran inside it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { WINDOW_END, WINDOW_START } from './profile-window.js';

const dir = process.env.M2BBS_PROFILE_DIR;
if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  let restarted = false;
  let written = false;
  // A session in the same thread answers at once, so this runs to the end even inside 'exit'.
  const write = (): void => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  // The bench marks its measuring window with files (a signal would be taken: m2bbs start uses
  // SIGUSR2); a look ten times a second costs nothing next to the profiling itself.
  const marks = setInterval(() => {
    if (!restarted && existsSync(join(dir, WINDOW_START))) {
      restarted = true;
      session.post('Profiler.stop');
      session.post('Profiler.start');
    }
    if (restarted && existsSync(join(dir, WINDOW_END))) {
      clearInterval(marks);
      write();
    }
  }, 100).unref();
  process.on('exit', write);
}
