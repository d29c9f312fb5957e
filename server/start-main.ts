/** `m2bbs start`: the whole BBS in one command; prints where to connect; Ctrl-C stops it all. */
import { createLogger } from '../common/log.js';
import { parseStartConfig } from './start-config.js';
import { startSupervisor } from './supervisor.js';

/** Runs the start command until a signal stops it or a child fails. */
export async function runStart(argv: readonly string[]): Promise<void> {
  const config = parseStartConfig(argv, process.env);
  const log = createLogger(config.logLevel).child({ supervisor: true });
  const supervisor = startSupervisor(config, log);
  let stopping = false;
  const stop = (exitCode: number): void => {
    if (stopping) {
      supervisor.kill();
      process.exit(1);
    }
    stopping = true;
    console.log('\nStopping the BBS...');
    void supervisor.stop().then(() => process.exit(exitCode));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  void supervisor.failed.then((name) => {
    if (stopping) return;
    console.error(`m2bbs: ${name} stopped unexpectedly; stopping the rest (see the log above).`);
    stop(1);
  });
  const where = await supervisor.ready;
  console.log(`
m2bbs is up: the proxy and ${config.backends} backends on ${config.db}.
  telnet ${where.telnet}
  ${where.http}
Ctrl-C stops everything.
`);
}
