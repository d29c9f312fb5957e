/** The `m2bbs start` configuration: its own flags and every backend flag, which it passes on. */
import { LOG_LEVEL_FLAG, parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import type { LogLevel } from '../common/log.js';
import { HANDLER_FLAGS } from '../handler/config.js';
import { parseAddress, PROXY_FLAGS } from './config.js';
import { backendLimits, type BackendLimits } from '../handler/limit-flags.js';
import type { BackendSpec } from './backend-link.js';
import { REMOTE_FLAGS, remoteBackends, type RemoteBackends } from './endpoint-remote.js';
import { CAP_FLAGS, capConfig } from './cap-flags.js';

// A backend's own flags: the supervisor gives each backend these; `m2bbs start` has its own
// --db, --screens and --log-level, and every other flag of `m2bbs handler` is passed on as given.
// Their CURVE keys are a remote backend's own (`m2bbs handler --curve-key`), never the proxy's.
const PER_BACKEND = ['name', 'send-spec', 'recv-spec', 'db', 'screens', 'log-level', 'curve-key', 'curve-server', 'bus'] as const;
type PassedOn = Omit<typeof HANDLER_FLAGS, (typeof PER_BACKEND)[number]>;

/** The flags of `m2bbs handler` that `m2bbs start` takes and passes to every backend: its limits. */
export const PASSED_ON_FLAGS = Object.fromEntries(
  Object.entries(HANDLER_FLAGS).filter(([flag]) => !(PER_BACKEND as readonly string[]).includes(flag)),
) as PassedOn;

/** The flags of `m2bbs proxy` that `m2bbs start` takes and passes to the proxy: its limits. */
export const PROXY_PASSED_ON_FLAGS = {
  'telnet-negotiation-ms': PROXY_FLAGS['telnet-negotiation-ms'],
  'max-output-bytes': PROXY_FLAGS['max-output-bytes'],
  ...CAP_FLAGS,
} as const satisfies FlagTable;

export interface StartConfig {
  readonly backends: number;
  /** The most local numbers running at once; `m2bbs add` and SIGUSR2 refuse past it. */
  readonly maxBackends: number;
  /** Lines of each backend: its --max-callers, and what the proxy is told. */
  readonly maxCallers: number;
  readonly listen: string;
  readonly telnet: string;
  readonly db: string;
  readonly screens: string | undefined;
  readonly logLevel: LogLevel;
  /** How log lines are written: human-readable text or JSON lines. */
  readonly logFormat: 'text' | 'json';
  /** The limits every backend is started with. */
  readonly backendLimits: BackendLimits;
  /** The `m2bbs handler` arguments every backend gets for PASSED_ON_FLAGS. */
  readonly backendFlags: readonly string[];
  /** The `m2bbs proxy` arguments the proxy gets for PROXY_PASSED_ON_FLAGS. */
  readonly proxyFlags: readonly string[];
  /** The first wait before a backend that exited is started again, and the longest it grows to. */
  readonly restartDelayMs: { readonly first: number; readonly max: number };
  /** How proxy and local backends talk: ipc:// sockets in a private folder, loopback tcp://, or loopback tcp:// with CURVE. */
  readonly zmq: 'ipc' | 'tcp' | 'curve';
  /** Numbers served by backends on other hosts, over CURVE. */
  readonly remote: RemoteBackends;
}

// Each backend is a process of its own: past a few per core they only take turns.
const DEFAULT_MAX_BACKENDS = 16;

/** The flags of `m2bbs start`: its own, then every limit of the backends it runs. */
export const START_FLAGS = {
  backends: { kind: 'integer', arg: 'N', min: 1, max: 90, default: 2, env: 'M2BBS_BACKENDS', help: 'how many backends' },
  'max-backends': {
    kind: 'integer',
    arg: 'N',
    min: 1,
    max: 90,
    env: 'M2BBS_MAX_BACKENDS',
    defaultText: `${DEFAULT_MAX_BACKENDS}, or --backends when more`,
    help: 'the most backends (numbers) this BBS runs at once: m2bbs add and SIGUSR2 refuse past it',
  },
  listen: { kind: 'string', arg: 'HOST:PORT', env: 'M2BBS_LISTEN', default: '127.0.0.1:6767', help: 'HTTP, WebSocket and JSON sockets' },
  telnet: { kind: 'string', arg: 'HOST:PORT', env: 'M2BBS_TELNET', default: '127.0.0.1:2323', help: 'telnet' },
  db: { kind: 'string', arg: 'FILE', env: 'M2BBS_DB', default: 'data/m2bbs.db', help: 'SQLite database' },
  screens: { kind: 'string', arg: 'DIR', env: 'M2BBS_SCREENS', defaultText: 'the shipped screens/', help: 'screens, menus and flows' },
  'log-level': LOG_LEVEL_FLAG,
  log: {
    kind: 'string',
    arg: 'FORMAT',
    choices: ['text', 'json'],
    env: 'M2BBS_LOG',
    defaultText: 'text on a terminal, with the JSON lines in m2bbs.log next to the database; json otherwise',
    help: 'text or json log lines on stderr',
  },
  'restart-delay-ms': {
    kind: 'integer',
    arg: 'MS',
    min: 10,
    max: 600_000,
    env: 'M2BBS_RESTART_DELAY_MS',
    default: 500,
    help: 'wait before restarting a backend that exited; it doubles after each exit within 30 s of a start',
  },
  'max-restart-delay-ms': {
    kind: 'integer',
    arg: 'MS',
    min: 10,
    max: 600_000,
    env: 'M2BBS_MAX_RESTART_DELAY_MS',
    default: 10_000,
    help: 'the longest that wait grows to',
  },
  zmq: {
    kind: 'string',
    arg: 'ipc|tcp|curve',
    choices: ['ipc', 'tcp', 'curve'],
    env: 'M2BBS_ZMQ',
    default: 'ipc',
    help: 'ipc: the backends\' ZeroMQ endpoints are Unix sockets in a private 0700 folder under the temp folder, which only this user can reach, removed at stop; tcp: loopback ports the system picks, which any local user can reach; curve: loopback ports with CURVE, keys made for the proxy and the local backends in that private folder (to try CURVE, or measure it, on one host)',
  },
  ...REMOTE_FLAGS,
  ...PASSED_ON_FLAGS,
  ...PROXY_PASSED_ON_FLAGS,
  // The proxy is told each backend's lines, so "no limit" is not offered here.
  'max-callers': { ...HANDLER_FLAGS['max-callers'], min: 1, max: 100_000, default: 50, help: 'callers each backend takes at once; the next one gets busy' },
} as const satisfies FlagTable;

/** What `m2bbs start --help` prints, generated from its flag table. */
export const START_USAGE = usageText(
  'm2bbs start [flags]',
  'Starts the whole BBS: the front proxy and N backends (bbs.10, bbs.11, ...) on one SQLite file.\nEvery backend gets the limits below.',
  START_FLAGS,
);

/** Parses and validates `m2bbs start` arguments, reporting every problem at once. */
export function parseStartConfig(argv: readonly string[], env: NodeJS.ProcessEnv, terminal = false): StartConfig {
  const { values, problems, sources } = parseTable('m2bbs start', START_USAGE, START_FLAGS, argv, env);
  const limits = backendLimits(values, problems);
  // Checked here, with everything else, rather than by the proxy after the supervisor started it.
  parseAddress(sources.listen ?? '--listen', values.listen, problems);
  parseAddress(sources.telnet ?? '--telnet', values.telnet, problems);
  // M2BBS_HOSTS is read here, so the proxy is given the same names whatever its environment.
  const { hosts } = capConfig(values, env, problems);
  const zmq = values.zmq === 'tcp' || values.zmq === 'curve' ? values.zmq : 'ipc';
  const remote = remoteBackends(values, { count: values.backends, zmq }, problems);
  if (values['max-restart-delay-ms'] < values['restart-delay-ms']) {
    problems.add(`--max-restart-delay-ms: expected at least --restart-delay-ms (${values['restart-delay-ms']}), got ${values['max-restart-delay-ms']}`);
  }
  const maxBackends = values['max-backends'] ?? Math.max(DEFAULT_MAX_BACKENDS, values.backends);
  if (maxBackends < values.backends) problems.add(`${sources['max-backends'] ?? '--max-backends'}: expected at least --backends (${values.backends}), got ${maxBackends}`);
  problems.check('m2bbs start');
  const passOn = (flags: FlagTable): string[] =>
    Object.keys(flags).flatMap((flag) => {
      const value: unknown = values[flag as keyof typeof values];
      if (value === undefined || value === false) return [];
      if (Array.isArray(value)) return flag === 'host' ? hosts.flatMap((name) => [`--${flag}`, name]) : value.flatMap((item) => [`--${flag}`, String(item)]);
      return value === true ? [`--${flag}`] : [`--${flag}`, String(value)];
    });
  const backendFlags = passOn(PASSED_ON_FLAGS);
  const proxyFlags = passOn(PROXY_PASSED_ON_FLAGS);
  return Object.freeze({
    backends: values.backends,
    maxBackends,
    maxCallers: limits.lines.maxCallers,
    listen: values.listen,
    telnet: values.telnet,
    db: values.db,
    screens: values.screens,
    logLevel: values['log-level'],
    // Text is for a person at a terminal; a pipe or a file gets the JSON lines a program can read.
    logFormat: values.log ?? (terminal ? 'text' : 'json'),
    backendLimits: limits,
    backendFlags,
    proxyFlags,
    restartDelayMs: { first: values['restart-delay-ms'], max: values['max-restart-delay-ms'] },
    zmq,
    remote,
  });
}

/** The `m2bbs handler` arguments of backend `b`: its endpoints, the database, and every limit. */
export function backendArgs(config: StartConfig, b: BackendSpec): string[] {
  return ['handler', '--name', b.number, '--send-spec', b.sendSpec, '--recv-spec', b.recvSpec, '--db', config.db, ...config.backendFlags];
}
