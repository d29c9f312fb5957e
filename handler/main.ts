/** `m2bbs handler`: parses arguments, starts a backend, stops it cleanly on SIGINT or SIGTERM. */
import { createLogger } from '../common/log.js';
import { startBackend } from './backend.js';
import { parseHandlerConfig } from './config.js';

/** Runs the handler command until a signal stops it. */
export async function runHandler(argv: readonly string[]): Promise<void> {
  const config = parseHandlerConfig(argv, process.env);
  const log = createLogger(config.logLevel).child({ handler: config.name });
  const backend = await startBackend(config, log);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info('stopping', { signal });
    backend.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('stop failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
