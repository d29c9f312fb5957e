/** `m2bbs proxy`: parses arguments, starts the proxy, stops it cleanly on SIGINT or SIGTERM. */
import { createLogger } from '../common/log.js';
import { stopOnSignals } from '../common/stop-on-signals.js';
import { parseProxyConfig } from './config.js';
import { startProxy } from './proxy.js';

/** Runs the proxy command until a signal stops it. */
export async function runProxy(argv: readonly string[]): Promise<void> {
  const config = parseProxyConfig(argv, process.env);
  const log = createLogger(config.logLevel).child({ proxy: true });
  const proxy = await startProxy(config, log);
  stopOnSignals(log, () => proxy.close());
}
