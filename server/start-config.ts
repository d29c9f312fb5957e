/** The `m2bbs start` configuration. */
import { ConfigProblems, logLevelFrom, parseFlags } from '../common/config-problems.js';
import type { LogLevel } from '../common/log.js';

export interface StartConfig {
  readonly backends: number;
  readonly maxCallers: number;
  readonly listen: string;
  readonly telnet: string;
  readonly db: string;
  readonly screens: string | undefined;
  readonly logLevel: LogLevel;
  /** How log lines are written: human-readable text or JSON lines. */
  readonly logFormat: 'text' | 'json';
}

export const START_USAGE = `Usage: m2bbs start [flags]

Starts the whole BBS: the front proxy and N backends (bbs.10, bbs.11, ...) on one SQLite file.

  --backends N           how many backends                   (default 2)
  --max-callers M        callers each backend takes at once  (default 50)
  --listen HOST:PORT     HTTP, WebSocket and JSON sockets    (M2BBS_LISTEN, default 127.0.0.1:6767)
  --telnet HOST:PORT     telnet                              (M2BBS_TELNET, default 127.0.0.1:2323)
  --db FILE              SQLite database                     (M2BBS_DB, default data/m2bbs.db)
  --screens DIR          folder of screen texts              (M2BBS_SCREENS, default the shipped screens/)
  --log-level LEVEL      debug, info, warn, error or silent  (M2BBS_LOG_LEVEL, default info)
  --log FORMAT           text or json log lines              (M2BBS_LOG, default text)
  -h, --help             this text`;

/** Parses and validates `m2bbs start` arguments, reporting every problem at once. */
export function parseStartConfig(argv: readonly string[], env: NodeJS.ProcessEnv): StartConfig {
  const values = parseFlags('m2bbs start', START_USAGE, argv, {
    backends: { type: 'string' },
    'max-callers': { type: 'string' },
    listen: { type: 'string' },
    telnet: { type: 'string' },
    db: { type: 'string' },
    screens: { type: 'string' },
    'log-level': { type: 'string' },
    log: { type: 'string' },
  });
  const problems = new ConfigProblems();
  const backends = problems.integer('backends', values.backends, 2, 1, 90);
  const maxCallers = problems.integer('max-callers', values['max-callers'], 50, 1, 100_000);
  const logLevel = logLevelFrom(values['log-level'], env, problems);
  const logFormat = values.log ?? env.M2BBS_LOG ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') problems.add(`--log: expected text or json, got "${logFormat}"`);
  problems.check('m2bbs start');
  return Object.freeze({
    backends,
    maxCallers,
    listen: values.listen ?? env.M2BBS_LISTEN ?? '127.0.0.1:6767',
    telnet: values.telnet ?? env.M2BBS_TELNET ?? '127.0.0.1:2323',
    db: values.db ?? env.M2BBS_DB ?? 'data/m2bbs.db',
    screens: values.screens ?? env.M2BBS_SCREENS,
    logLevel,
    logFormat: logFormat === 'json' ? 'json' : 'text',
  });
}
