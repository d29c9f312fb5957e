/** The `m2bbs handler` configuration: flags, then environment, then defaults; validated at once. */
import { fileURLToPath } from 'node:url';
import { defaultBackend } from '../common/backend-defaults.js';
import { ConfigProblems, isZmqEndpoint, logLevelFrom, parseFlags } from '../common/config-problems.js';
import type { LogLevel } from '../common/log.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from '../db/password.js';
import { DEFAULT_LINE_LIMITS, type LineLimits } from './line-limits.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';

export interface HandlerConfig {
  readonly name: string;
  readonly sendSpec: string;
  readonly recvSpec: string;
  readonly db: string;
  readonly screens: string;
  readonly logLevel: LogLevel;
  readonly limits: Limits;
  readonly lines: LineLimits;
  readonly scryptCost: ScryptCost;
}

/** The screens shipped with m2bbs, wherever it is installed. */
export const SHIPPED_SCREENS = fileURLToPath(new URL('../screens', import.meta.url));

export const HANDLER_USAGE = `Usage: m2bbs handler [flags]

Runs one BBS backend that connects to a Mongrel2-protocol server (Mongrel2 itself or m2bbs proxy).

  --name NAME            backend name, used in logs              (M2BBS_NAME, default bbs.10)
  --send-spec SPEC       server's PUSH endpoint, we connect PULL (M2BBS_SEND_SPEC, default tcp://127.0.0.1:9910)
  --recv-spec SPEC       server's SUB endpoint, we connect PUB   (M2BBS_RECV_SPEC, default tcp://127.0.0.1:9911)
  --db FILE              SQLite database file                    (M2BBS_DB, default data/m2bbs.db)
  --screens DIR          screens, menus and flows, reloaded live (M2BBS_SCREENS, default the shipped screens/)
  --log-level LEVEL      debug, info, warn, error or silent      (M2BBS_LOG_LEVEL, default info)
  --max-lines N          lines in a message                      (default ${DEFAULT_LIMITS.maxLines})
  --max-line-length N    characters in a message line            (default ${DEFAULT_LIMITS.maxLineLength})
  --page-size N          messages shown before "more?"           (default ${DEFAULT_LIMITS.pageSize})
  --bad-pass-delay-ms N  pause before hanging up on a wrong password (default ${DEFAULT_LIMITS.badPasswordDelayMs})
  --max-callers N        callers at once; the next one gets busy (M2BBS_MAX_CALLERS, default ${DEFAULT_LINE_LIMITS.maxCallers}: no limit)
  --idle-before-login S  silent seconds allowed before login    (M2BBS_IDLE_BEFORE_LOGIN, default ${DEFAULT_LINE_LIMITS.idleBeforeLoginSeconds}; 0 never)
  --idle-after-login S   silent seconds allowed after login     (M2BBS_IDLE_AFTER_LOGIN, default ${DEFAULT_LINE_LIMITS.idleAfterLoginSeconds}; 0 never)
  -h, --help             this text`;

/** Parses and validates `m2bbs handler` arguments, reporting every problem at once. */
export function parseHandlerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): HandlerConfig {
  const values = parseFlags('m2bbs handler', HANDLER_USAGE, argv, {
    name: { type: 'string' },
    'send-spec': { type: 'string' },
    'recv-spec': { type: 'string' },
    db: { type: 'string' },
    screens: { type: 'string' },
    'log-level': { type: 'string' },
    'max-lines': { type: 'string' },
    'max-line-length': { type: 'string' },
    'page-size': { type: 'string' },
    'bad-pass-delay-ms': { type: 'string' },
    'max-callers': { type: 'string' },
    'idle-before-login': { type: 'string' },
    'idle-after-login': { type: 'string' },
  });
  const problems = new ConfigProblems();
  const name = values.name ?? env.M2BBS_NAME ?? defaultBackend(0).number;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) problems.add(`--name: expected letters, digits, '.', '_' or '-', got "${name}"`);
  const sendSpec = values['send-spec'] ?? env.M2BBS_SEND_SPEC ?? defaultBackend(0).sendSpec;
  const recvSpec = values['recv-spec'] ?? env.M2BBS_RECV_SPEC ?? defaultBackend(0).recvSpec;
  for (const [flag, spec] of [['send-spec', sendSpec], ['recv-spec', recvSpec]] as const) {
    if (!isZmqEndpoint(spec) || spec.endsWith(':*')) problems.add(`--${flag}: expected a ZeroMQ endpoint like tcp://127.0.0.1:9910, got "${spec}"`);
  }
  if (sendSpec === recvSpec) problems.add(`--send-spec and --recv-spec must differ, both are "${sendSpec}"`);
  const db = values.db ?? env.M2BBS_DB ?? 'data/m2bbs.db';
  if (db.trim() === '') problems.add('--db: expected a file name, got an empty string');
  const screens = values.screens ?? env.M2BBS_SCREENS ?? SHIPPED_SCREENS;
  const logLevel = logLevelFrom(values['log-level'], env, problems);
  const limits: Limits = Object.freeze({
    ...DEFAULT_LIMITS,
    maxLines: problems.integer('max-lines', values['max-lines'], DEFAULT_LIMITS.maxLines, 1, 1000),
    maxLineLength: problems.integer('max-line-length', values['max-line-length'], DEFAULT_LIMITS.maxLineLength, 20, 10_000),
    pageSize: problems.integer('page-size', values['page-size'], DEFAULT_LIMITS.pageSize, 1, 100),
    badPasswordDelayMs: problems.integer('bad-pass-delay-ms', values['bad-pass-delay-ms'], DEFAULT_LIMITS.badPasswordDelayMs, 0, 60_000),
  });
  const lines: LineLimits = Object.freeze({
    maxCallers: problems.integer('max-callers', values['max-callers'] ?? env.M2BBS_MAX_CALLERS, DEFAULT_LINE_LIMITS.maxCallers, 0, 1_000_000),
    idleBeforeLoginSeconds: problems.integer('idle-before-login', values['idle-before-login'] ?? env.M2BBS_IDLE_BEFORE_LOGIN, DEFAULT_LINE_LIMITS.idleBeforeLoginSeconds, 0, 86_400),
    idleAfterLoginSeconds: problems.integer('idle-after-login', values['idle-after-login'] ?? env.M2BBS_IDLE_AFTER_LOGIN, DEFAULT_LINE_LIMITS.idleAfterLoginSeconds, 0, 86_400),
  });
  const { idleBeforeLoginSeconds: before, idleAfterLoginSeconds: after } = lines;
  // 0 is "never"; a caller who has not logged in must not hold a line longer than one who has.
  if (after > 0 && (before === 0 || before > after)) {
    problems.add(`--idle-before-login: expected at most --idle-after-login (${after}), got "${before === 0 ? '0 (never)' : before}"`);
  }
  problems.check('m2bbs handler');
  return Object.freeze({
    name,
    sendSpec,
    recvSpec,
    db,
    screens,
    logLevel,
    limits,
    lines,
    scryptCost: DEFAULT_SCRYPT_COST,
  });
}
