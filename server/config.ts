/** The `m2bbs proxy` configuration: flags, then environment, then defaults; validated at once. */
import { randomUUID } from 'node:crypto';
import { backendFlag, defaultBackend, DRAIN_TIMEOUT_FLAG } from '../common/backend-defaults.js';
import { isZmqEndpoint, type ConfigProblems } from '../common/config-problems.js';
import { LOG_LEVEL_FLAG, parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import { isIpcOutside, isNetworkTcp } from '../common/endpoint-exposure.js';
import { ipcPathProblem } from '../common/ipc-endpoint.js';
import { PROXY_CURVE_FLAGS, proxyCurve, type ProxyCurve } from '../common/curve-flags.js';
import type { LogLevel } from '../common/log.js';
import type { BackendSpec } from './backend-link.js';
import { CAP_FLAGS, capConfig, type CapConfig } from './cap-flags.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

export interface ProxyConfig {
  readonly listen: Address;
  readonly telnet: Address;
  readonly backends: readonly BackendSpec[];
  readonly uuid: string;
  readonly logLevel: LogLevel;
  readonly telnetNegotiationMs: number;
  /** Bytes held for one caller who does not read before that caller is closed (default 1 MiB). */
  readonly maxOutputBytes?: number;
  /** How long to wait for every backend to connect before opening the doors (0: open at once). */
  readonly awaitBackendsMs?: number;
  /** How long a call handed off a draining backend waits for a line while no number is up (--drain-timeout-ms: the backends' drain limit). */
  readonly drainTimeoutMs?: number;
  /** How long a call whose backend died waits for a line before it drops (no flag: 20 s; tests shorten it). */
  readonly moveTimeoutMs?: number;
  /** How long a JSON-socket connection may go without a line reaching a backend (pings only) before it is told and closed (no flag: 30 s, a backend's --idle-before-typing; tests shorten it). */
  readonly noCallTimeoutMs?: number;
  /** Caps on connections, the deadline for a whole request, the host names served (cap-flags.ts). */
  readonly caps?: CapConfig;
  /** The private folder of the ipc:// endpoints: claimed (0700) at start, removed at stop. */
  readonly endpointDir?: string;
  /** CURVE on the tcp:// backend endpoints: the proxy's keys and the backend keys let in. */
  readonly curve?: ProxyCurve;
  /** --insecure-tcp: tcp:// endpoints open to other hosts without CURVE were asked for (also for links added later). */
  readonly insecureTcp?: boolean;
}

/** The flags of `m2bbs proxy`. */
export const PROXY_FLAGS = {
  listen: { kind: 'string', arg: 'HOST:PORT', env: 'M2BBS_LISTEN', default: '127.0.0.1:6767', help: 'HTTP, WebSocket and JSON sockets' },
  telnet: { kind: 'string', arg: 'HOST:PORT', env: 'M2BBS_TELNET', default: '127.0.0.1:2323', help: 'telnet' },
  backend: {
    kind: 'string',
    arg: 'NUMBER=SEND_SPEC,RECV_SPEC',
    multiple: true,
    defaultText: 'bbs.10=tcp://127.0.0.1:9910,tcp://127.0.0.1:9911 and bbs.11=tcp://127.0.0.1:9920,tcp://127.0.0.1:9921',
    help: 'a backend number and the endpoints bound for it; repeat for each (a number given again is its next generation: new calls go to the newest one up)',
  },
  lines: {
    kind: 'integer',
    arg: 'N',
    min: 1,
    max: 100_000,
    env: 'M2BBS_LINES',
    defaultText: 'unknown',
    help: 'how many callers each backend takes (its --max-callers), for dialling and the directory',
  },
  'batch-requests': {
    kind: 'boolean',
    help:
      'every backend is an m2bbs backend: the requests of one turn go to it as one multipart message, a frame a part ' +
      '(a Mongrel2 handler may read only the first part of a message, so this is off unless asked for; m2bbs start asks for it)',
  },
  'telnet-negotiation-ms': {
    kind: 'integer',
    arg: 'MS',
    min: 0,
    max: 10_000,
    default: 3000,
    env: 'M2BBS_TELNET_NEGOTIATION_MS',
    help: 'how long to wait for a telnet client to answer option negotiation before starting anyway',
  },
  'max-output-bytes': {
    kind: 'integer',
    arg: 'N',
    min: 4096,
    max: 1024 * 1024 * 1024,
    default: 1024 * 1024,
    env: 'M2BBS_MAX_OUTPUT_BYTES',
    help: 'bytes the proxy holds for one caller who is not reading what the BBS sends; past them that caller is told and closed (past a quarter of them, what they type is not read until they catch up)',
  },
  'await-backends-ms': {
    kind: 'integer',
    arg: 'MS',
    min: 0,
    max: 60_000,
    default: 0,
    env: 'M2BBS_AWAIT_BACKENDS_MS',
    help: 'before opening the doors, wait this long for every backend to connect (m2bbs start asks for it when it restarts a proxy, so nobody is told that no line answers while the backends reconnect)',
  },
  'drain-timeout-ms': {
    ...DRAIN_TIMEOUT_FLAG,
    help: "the backends' drain limit (as their own --drain-timeout-ms): a caller handed off a draining backend whose every other number answers busy waits this long for a free line if no number is up, and never drops while one is",
  },
  'endpoint-dir': {
    kind: 'string',
    arg: 'DIR',
    env: 'M2BBS_ENDPOINT_DIR',
    help: 'a private folder for the ipc:// backend endpoints: made (0700) if missing, refused if another user may enter it, removed when the proxy stops (m2bbs start passes its own)',
  },
  'insecure-tcp': {
    kind: 'boolean',
    help: 'allow a tcp:// backend endpoint on an address other hosts can reach (not 127.x or ::1) without --curve-key: anyone on the network may then read what callers type and forge replies; only for a network you trust wholly (not read from the environment, so it is always a visible choice)',
  },
  ...CAP_FLAGS,
  ...PROXY_CURVE_FLAGS,
  'log-level': LOG_LEVEL_FLAG,
} as const satisfies FlagTable;

/** What `m2bbs proxy --help` prints, generated from its flag table. */
export const PROXY_USAGE = usageText(
  'm2bbs proxy [flags]',
  'The front proxy: callers in over telnet, JSON sockets and WebSocket (with the green-screen page),\nMongrel2 handler protocol out to the backends.',
  PROXY_FLAGS,
  'Port 0 picks a free port; the "proxy ready" log line says which.',
);

/** Parses and validates `m2bbs proxy` arguments, reporting every problem at once. */
export function parseProxyConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ProxyConfig {
  const { values, problems, sources } = parseTable('m2bbs proxy', PROXY_USAGE, PROXY_FLAGS, argv, env);
  const listen = parseAddress(sources.listen ?? '--listen', values.listen, problems);
  const telnet = parseAddress(sources.telnet ?? '--telnet', values.telnet, problems);
  const { lines } = values;
  const given = values.backend.length > 0 ? values.backend : [0, 1].map((i) => backendFlag(defaultBackend(i)));
  const backends = given.map((text) => ({ ...parseBackend(text, problems), ...(lines === undefined ? {} : { lines }), ...(values['batch-requests'] ? { batch: true } : {}) }));
  const endpoints = backends.flatMap((b) => [b.sendSpec, b.recvSpec]).filter((spec) => !spec.endsWith(':*'));
  if (new Set(endpoints).size !== endpoints.length) problems.add('--backend: every backend needs endpoints of its own');
  const caps = capConfig(values, env, problems);
  const endpointDir = values['endpoint-dir'];
  const curve = proxyCurve(values['curve-key'], values['curve-clients'], problems);
  for (const b of backends) endpointExposureProblems(b, { curve: values['curve-key'] !== undefined, insecureTcp: values['insecure-tcp'], endpointDir }, problems);
  problems.check('m2bbs proxy');
  return Object.freeze({ listen, telnet, backends, uuid: randomUUID(), logLevel: values['log-level'], telnetNegotiationMs: values['telnet-negotiation-ms'], maxOutputBytes: values['max-output-bytes'], awaitBackendsMs: values['await-backends-ms'], drainTimeoutMs: values['drain-timeout-ms'], caps, ...(endpointDir === undefined ? {} : { endpointDir }), ...(curve === undefined ? {} : { curve }), ...(values['insecure-tcp'] ? { insecureTcp: true } : {}) });
}

/** Problems with a link added while the proxy runs: endpoints as `--backend` would have them. */
export function addedLinkProblems(b: BackendSpec, config: ProxyConfig, problems: ConfigProblems): void {
  for (const spec of [b.sendSpec, b.recvSpec]) {
    if (!isZmqEndpoint(spec)) problems.add(`backend ${b.number}: expected a ZeroMQ endpoint like tcp://127.0.0.1:9910, got "${spec}"`);
    else {
      const tooLong = ipcPathProblem(`backend ${b.number}`, spec);
      if (tooLong !== undefined) problems.add(tooLong);
    }
  }
  endpointExposureProblems(b, { curve: config.curve !== undefined, insecureTcp: config.insecureTcp === true, endpointDir: config.endpointDir }, problems);
}

// A backend's endpoints open to the network without CURVE, or an ipc socket the private folder does not guard.
function endpointExposureProblems(b: BackendSpec, given: { readonly curve: boolean; readonly insecureTcp: boolean; readonly endpointDir: string | undefined }, problems: ConfigProblems): void {
  for (const spec of new Set([b.sendSpec, b.recvSpec])) {
    if (isNetworkTcp(spec) && !given.curve && !given.insecureTcp) {
      problems.add(`--backend ${b.number}: ${spec} is open to other hosts, and without CURVE anyone there may read what callers type and forge replies: give --curve-key and --curve-clients (see m2bbs keys), bind 127.0.0.1, or say --insecure-tcp`);
    }
    if (given.endpointDir !== undefined && isIpcOutside(spec, given.endpointDir)) {
      problems.add(`--backend ${b.number}: ${spec} is not inside --endpoint-dir ${given.endpointDir}, so that folder neither guards it nor is it removed at stop; put it in the folder`);
    }
  }
}

/** Reads HOST:PORT given by `source` (a flag or an environment variable); a bad one is a problem. */
export function parseAddress(source: string, text: string, problems: ConfigProblems): Address {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    problems.add(`${source}: expected HOST:PORT such as 127.0.0.1:6767, got "${text}"`);
    return { host: '127.0.0.1', port: 0 };
  }
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

function parseBackend(text: string, problems: ConfigProblems): BackendSpec {
  const match = /^(bbs\.\d{1,6})=([^,\s]+),([^,\s]+)$/.exec(text);
  if (match === null) {
    problems.add(`--backend: expected bbs.N=SEND_SPEC,RECV_SPEC such as bbs.10=tcp://127.0.0.1:9910,tcp://127.0.0.1:9911, got "${text}"`);
    return { number: text, sendSpec: text, recvSpec: `${text}.recv` };
  }
  const [, number = '', sendSpec = '', recvSpec = ''] = match;
  for (const spec of [sendSpec, recvSpec]) {
    if (!isZmqEndpoint(spec)) problems.add(`--backend ${number}: expected a ZeroMQ endpoint like tcp://127.0.0.1:9910, got "${spec}"`);
    else {
      const tooLong = ipcPathProblem(`--backend ${number}`, spec);
      if (tooLong !== undefined) problems.add(tooLong);
    }
  }
  return { number, sendSpec, recvSpec };
}
