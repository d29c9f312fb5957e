/** `m2bbs handler`: parses arguments, starts a backend, stops it cleanly on SIGINT or SIGTERM. */
import { whenSupervisorSays } from '../common/child-channel.js';
import { createLogger } from '../common/log.js';
import { stopOnSignals } from '../common/stop-on-signals.js';
import { startBackend } from './backend.js';
import { parseHandlerConfig } from './config.js';

/** Runs the handler command until a signal stops it. */
export async function runHandler(argv: readonly string[]): Promise<void> {
  const config = parseHandlerConfig(argv, process.env);
  const log = createLogger(config.logLevel).child({ handler: config.name });
  const backend = await startBackend(config, log);
  stopOnSignals(log, () => backend.close());
  // Under `m2bbs start` this backend's only proxy is the one that died: its conversations are over.
  whenSupervisorSays((message) => {
    if (message.type === 'proxy-gone') backend.engine.endAll('proxy gone');
  });
}
