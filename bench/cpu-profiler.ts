/**
 * Loaded into each process of a BBS under --profile (NODE_OPTIONS="--import tsx --import THIS",
 * as NODE_OPTIONS may not carry --cpu-prof): samples the CPU from start to exit through the
 * inspector and writes M2BBS_PROFILE_DIR/PID.cpuprofile, which Chrome DevTools also opens.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.M2BBS_PROFILE_DIR;
if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  // A session in the same thread answers at once, so this runs to the end inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
