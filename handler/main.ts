/** `m2bbs handler`: parses arguments, starts a backend, drains on SIGTERM (journal on) and stops on SIGINT. */
import { hasSupervisor, tellSupervisor, whenSupervisorSays } from '../common/child-channel.js';
import { describeError, isBbsError } from '../common/errors.js';
import { ignoreBrokenPipes } from '../common/broken-pipes.js';
import { createLogger } from '../common/log.js';
import { stopOnSignals } from '../common/stop-on-signals.js';
import { startBackend, type Backend } from './backend.js';
import { parseHandlerConfig } from './config.js';
import { startDrain, type Drain } from './drain.js';

const BUS_WAIT_WARN_MS = 5000;

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
  let drain: Drain | undefined;
  // Without a journal there is nothing another backend could carry on: SIGTERM stops at once.
  const drainThenClose = async (): Promise<void> => {
    drain = startDrain({ engine: backend.engine, log, timeoutMs: config.drainTimeoutMs, announce: (callers) => backend.announceDraining(callers), heard: () => backend.heard });
    backend.onHeardChange(() => drain?.check());
    // The supervisor tells the proxy to move this backend's callers only once it counts them.
    void tellSupervisor({ type: 'draining', backend: config.name, callers: backend.engine.heldForProxy });
    const result = await drain.done;
    await backend.close();
    await tellSupervisor({ type: 'drained', backend: config.name, ...result });
  };
  const closeNow = (): Promise<void> => {
    drain?.cancel();
    return backend.close();
  };
  stopOnSignals(log, closeNow, config.journal ? { drain: drainThenClose } : {});
  // Ready once this backend's events come back through the bus device: a caller who chats from
  // the first moment reaches every backend (a lone backend's local bus is ready at once).
  const slowBus = setTimeout(() => log.warn('waiting for the bus device', { in: config.bus?.in, out: config.bus?.out }), BUS_WAIT_WARN_MS);
  await backend.bus.connected;
  clearTimeout(slowBus);
  void tellSupervisor({ type: 'backend-ready', backend: config.name });
  // Under `m2bbs start` this backend's only proxy is the one that died: its conversations are over.
  whenSupervisorSays((message) => {
    if (message.type === 'proxy-gone') backend.engine.endAll('proxy gone');
  });
}
