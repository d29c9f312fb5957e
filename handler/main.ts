/** `m2bbs handler`: parses arguments, starts a backend, stops it cleanly on SIGINT or SIGTERM. */
import { hasSupervisor, tellSupervisor, whenSupervisorSays } from '../common/child-channel.js';
import { describeError, isBbsError } from '../common/errors.js';
import { ignoreBrokenPipes } from '../common/broken-pipes.js';
import { createLogger } from '../common/log.js';
import { stopOnSignals } from '../common/stop-on-signals.js';
import { startBackend, type Backend } from './backend.js';
import { parseHandlerConfig } from './config.js';

/** Runs the handler command until a signal stops it. */
export async function runHandler(argv: readonly string[]): Promise<void> {
  // A supervisor gone while this is still starting leaves its stderr a broken pipe: no crash on it.
  ignoreBrokenPipes();
  const config = parseHandlerConfig(argv, process.env);
  const log = createLogger(config.logLevel).child({ handler: config.name });
  let backend: Backend;
  try {
    backend = await startBackend(config, log);
  } catch (error) {
    // Under `m2bbs start` the supervisor shows the one line (before the banner it stops there;
    // later it keeps trying, since a sysop may put the file back); by hand the error is printed.
    if (!hasSupervisor()) throw error;
    const why = isBbsError(error) && error.expose ? error.message : `m2bbs: backend ${config.name} could not start: ${describeError(error)}`;
    log.error('backend could not start', { error: describeError(error) });
    await tellSupervisor({ type: 'failed', message: why });
    process.exitCode = 1;
    return;
  }
  stopOnSignals(log, () => backend.close());
  void tellSupervisor({ type: 'backend-ready', backend: config.name });
  // Under `m2bbs start` this backend's only proxy is the one that died: its conversations are over.
  whenSupervisorSays((message) => {
    if (message.type === 'proxy-gone') backend.engine.endAll('proxy gone');
  });
}
