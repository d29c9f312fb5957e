/** The `m2bbs handler` configuration: flags, then environment, then defaults; validated at once. */
import { fileURLToPath } from 'node:url';
import { defaultBackend, DRAIN_TIMEOUT_FLAG } from '../common/backend-defaults.js';
import { isZmqEndpoint, type ConfigProblems } from '../common/config-problems.js';
import { HANDLER_CURVE_FLAGS, handlerCurve, type HandlerCurve } from '../common/curve-flags.js';
import { ipcPathProblem } from '../common/ipc-endpoint.js';
import { LOG_LEVEL_FLAG, parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import type { LogLevel } from '../common/log.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from '../db/password.js';
import { parseBusSpec, type BusSpec } from './event-bus.js';
import { backendLimits, LIMIT_FLAGS } from './limit-flags.js';
import type { LineLimits } from './line-limits.js';
import type { Limits } from './limits.js';

export interface HandlerConfig {
  readonly name: string;
  readonly sendSpec: string;
  readonly recvSpec: string;
  readonly db: string;
  /** Largest size of the database in bytes (--db-max-size); past it writes are refused as on a full disk. */
  readonly dbMaxBytes: number | undefined;
  readonly screens: string;
  readonly logLevel: LogLevel;
  readonly limits: Limits;
  readonly lines: LineLimits;
  readonly scryptCost: ScryptCost;
  /** Durable conversations: journal each one, take over those of a backend that died (--journal). */
  readonly journal: boolean;
  /** Bytes the journals may take before ended calls' journals go, oldest first (--journal-keep-size); 0: only by age. */
  readonly journalKeepBytes: number;
  /** How long a drain (SIGTERM with the journal on) waits for the proxy to move every call away (--drain-timeout-ms). */
  readonly drainTimeoutMs: number;
  /** CURVE to a proxy on another host: this backend's keys and the proxy's public key. */
  readonly curve?: HandlerCurve;
  /** The event bus device's endpoints (--bus IN,OUT); without it, events stay in this process. */
  readonly bus?: BusSpec;
}

/** MiB of journals past which ended calls' journals are deleted oldest first (--journal-keep-size). */
export const DEFAULT_JOURNAL_KEEP_MB = 1024;

/** The screens shipped with m2bbs, wherever it is installed. */
export const SHIPPED_SCREENS = fileURLToPath(new URL('../screens', import.meta.url));

/** The flags of `m2bbs handler`, each with its environment variable. */
export const HANDLER_FLAGS = {
  name: { kind: 'string', arg: 'NAME', env: 'M2BBS_NAME', default: defaultBackend(0).number, help: 'backend name, used in logs' },
  'send-spec': { kind: 'string', arg: 'SPEC', env: 'M2BBS_SEND_SPEC', default: defaultBackend(0).sendSpec, help: "server's PUSH endpoint, we connect PULL" },
  'recv-spec': { kind: 'string', arg: 'SPEC', env: 'M2BBS_RECV_SPEC', default: defaultBackend(0).recvSpec, help: "server's SUB endpoint, we connect PUB" },
  db: { kind: 'string', arg: 'FILE', env: 'M2BBS_DB', default: 'data/m2bbs.db', help: 'SQLite database file' },
  'db-max-size': {
    kind: 'integer',
    arg: 'MB',
    min: 1,
    max: 1_000_000,
    env: 'M2BBS_DB_MAX_SIZE',
    defaultText: 'no limit',
    help: 'largest the database may grow, in MiB; past it callers are told their writes were not saved, as on a full disk',
  },
  'journal-keep-size': {
    kind: 'integer',
    arg: 'MB',
    min: 0,
    max: 1_000_000,
    env: 'M2BBS_JOURNAL_KEEP_SIZE',
    default: DEFAULT_JOURNAL_KEEP_MB,
    help: "how much of the database, in MiB, the journals may take before ended calls' journals (kept a week for the sysop's replay) are deleted oldest first (0: only by age)",
  },
  screens: { kind: 'string', arg: 'DIR', env: 'M2BBS_SCREENS', defaultText: 'the shipped screens/', help: 'screens, menus and flows, reloaded live' },
  journal: {
    kind: 'string',
    arg: 'on|off',
    choices: ['on', 'off'],
    env: 'M2BBS_JOURNAL',
    default: 'on',
    help: 'journal conversations so a caller carries on when a backend dies; off: a backend death ends its calls',
  },
  'drain-timeout-ms': {
    ...DRAIN_TIMEOUT_FLAG,
    help: 'SIGTERM (with the journal on) drains: no new calls, each caller moved to another number at their next prompt; past this time the backend stops anyway and its callers are taken over as on a death',
  },
  bus: {
    kind: 'string',
    arg: 'IN,OUT',
    env: 'M2BBS_BUS',
    defaultText: 'none: events (chat, pages, who is online) reach only the callers of this backend',
    help: "the event bus device's two endpoints (its XSUB, its XPUB), as m2bbs bus or m2bbs start binds them, so callers on every backend chat and see each other",
  },
  ...HANDLER_CURVE_FLAGS,
  'log-level': LOG_LEVEL_FLAG,
  ...LIMIT_FLAGS,
} as const satisfies FlagTable;

/** What `m2bbs handler --help` prints, generated from its flag table. */
export const HANDLER_USAGE = usageText(
  'm2bbs handler [flags]',
  'Runs one BBS backend that connects to a Mongrel2-protocol server (Mongrel2 itself or m2bbs proxy).',
  HANDLER_FLAGS,
);

/** Parses and validates `m2bbs handler` arguments, reporting every problem at once. */
export function parseHandlerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): HandlerConfig {
  const { values, problems } = parseTable('m2bbs handler', HANDLER_USAGE, HANDLER_FLAGS, argv, env);
  const { name, db } = values;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) problems.add(`--name: expected letters, digits, '.', '_' or '-', got "${name}"`);
  const sendSpec = values['send-spec'];
  const recvSpec = values['recv-spec'];
  // Either CURVE flag means CURVE (handlerCurve says when one is missing), for every endpoint alike.
  const withCurve = values['curve-key'] !== undefined || values['curve-server'] !== undefined;
  endpointProblems({ flag: '--send-spec', label: '--send-spec: ', serves: 'the proxy' }, sendSpec, withCurve, problems);
  endpointProblems({ flag: '--recv-spec', label: '--recv-spec: ', serves: 'the proxy' }, recvSpec, withCurve, problems);
  if (sendSpec === recvSpec) problems.add(`--send-spec and --recv-spec must differ, both are "${sendSpec}"`);
  if (db.trim() === '') problems.add('--db: expected a file name, got an empty string');
  const { limits, lines } = backendLimits(values, problems);
  const curve = handlerCurve(values['curve-key'], values['curve-server'], problems);
  const bus = values.bus === undefined ? undefined : busSpec(values.bus, withCurve, problems);
  problems.check('m2bbs handler');
  return Object.freeze({
    name,
    sendSpec,
    recvSpec,
    db,
    dbMaxBytes: values['db-max-size'] === undefined ? undefined : values['db-max-size'] * 1024 * 1024,
    screens: values.screens ?? SHIPPED_SCREENS,
    logLevel: values['log-level'],
    limits,
    lines,
    scryptCost: DEFAULT_SCRYPT_COST,
    journal: values.journal === 'on',
    journalKeepBytes: values['journal-keep-size'] * 1024 * 1024,
    drainTimeoutMs: values['drain-timeout-ms'],
    ...(curve === undefined ? {} : { curve }),
    ...(bus === undefined ? {} : { bus }),
  });
}

function busSpec(text: string, curve: boolean, problems: ConfigProblems): BusSpec | undefined {
  const spec = parseBusSpec(text);
  if ('problem' in spec) return void problems.add(`--bus: ${spec.problem}`);
  let ok = endpointProblems({ flag: '--bus IN', label: '--bus: IN ', serves: 'the bus' }, spec.in, curve, problems);
  ok = endpointProblems({ flag: '--bus OUT', label: '--bus: OUT ', serves: 'the bus' }, spec.out, curve, problems) && ok;
  if (spec.in === spec.out) {
    problems.add(`--bus: IN and OUT must differ, both are "${spec.in}"`);
    ok = false;
  }
  return ok ? spec : undefined;
}

// How an endpoint flag is named in its problems, and who serves it.
interface EndpointFlag {
  readonly flag: string;
  readonly label: string;
  readonly serves: string;
}

// What is wrong with an endpoint a backend connects to (not a `:*` to bind; an ipc:// path that
// fits; not ipc:// under CURVE, which the proxy and the bus serve only on tcp://); true when nothing.
function endpointProblems(named: EndpointFlag, spec: string, curve: boolean, problems: ConfigProblems): boolean {
  if (!isZmqEndpoint(spec) || spec.endsWith(':*')) {
    problems.add(`${named.label}expected a ZeroMQ endpoint like tcp://127.0.0.1:9910, got "${spec}"`);
    return false;
  }
  const tooLong = ipcPathProblem(named.flag, spec);
  if (tooLong !== undefined) {
    problems.add(tooLong);
    return false;
  }
  // libzmq speaks CURVE over ipc:// too, but only tcp:// endpoints are made CURVE servers: such a backend could never attach.
  if (curve && spec.startsWith('ipc://')) {
    problems.add(`${named.flag.split(' ')[0]}: ${spec} is an ipc:// endpoint, which ${named.serves} serves without CURVE: drop --curve-key and --curve-server there (the folder guards it), or connect to its tcp:// endpoints`);
    return false;
  }
  return true;
}
