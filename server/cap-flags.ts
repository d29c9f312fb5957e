/**
 * The proxy's flags against floods and slow connections (part of PROXY_FLAGS, and passed on by
 * `m2bbs start`): caps on connections, the deadline for a whole request, the hosts it serves.
 */
import type { ConfigProblems } from '../common/config-problems.js';
import type { FlagTable, FlagValues } from '../common/flag-table.js';
import { hostName } from './doors/served-hosts.js';

/** The caps and deadline the proxy uses unless told otherwise. */
export const CAP_DEFAULTS = Object.freeze({ maxPerAddress: 10, maxConnections: 10_000, connectionsPerMinute: 30, headerTimeoutMs: 10_000 });

/** The environment variable of `--host`: comma-separated names. */
export const HOSTS_ENV = 'M2BBS_HOSTS';

/** The flags; `--host` is repeatable, its environment variable a comma-separated list. */
export const CAP_FLAGS = {
  'max-per-address': {
    kind: 'integer',
    arg: 'N',
    min: 0,
    max: 1_000_000,
    default: CAP_DEFAULTS.maxPerAddress,
    env: 'M2BBS_MAX_PER_ADDRESS',
    help:
      'connections from one address that have not logged in yet, across all doors; the next one is told and closed. ' +
      'Callers behind one NAT share it, only while they log in: raise it for a busy NAT (0: no cap)',
  },
  'max-connections': {
    kind: 'integer',
    arg: 'N',
    min: 0,
    max: 10_000_000,
    default: CAP_DEFAULTS.maxConnections,
    env: 'M2BBS_MAX_CONNECTIONS',
    help: 'connections open at once on every door, logged in or not; the next one is told and closed (0: no cap)',
  },
  'connections-per-minute': {
    kind: 'integer',
    arg: 'N',
    min: 0,
    max: 1_000_000,
    default: CAP_DEFAULTS.connectionsPerMinute,
    env: 'M2BBS_CONNECTIONS_PER_MINUTE',
    help:
      'connections one address may open a minute, across all doors: N at once, then one every 60/N s; the next is told when to try again and closed. ' +
      'Callers behind one NAT share it: raise it for a busy NAT (0: no limit)',
  },
  'header-timeout-ms': {
    kind: 'integer',
    arg: 'MS',
    min: 50,
    max: 600_000,
    default: CAP_DEFAULTS.headerTimeoutMs,
    env: 'M2BBS_HEADER_TIMEOUT_MS',
    help: 'on the front port, an HTTP request must arrive whole (headers; each one on a kept-alive connection), or a JSON socket its first frame, within this; then it is closed (408). An HTTP response the client takes no byte of for this long is reset, as is a kept-alive connection idle this long',
  },
  host: {
    kind: 'string',
    arg: 'NAME',
    multiple: true,
    env: HOSTS_ENV,
    defaultText: 'IP addresses and localhost only',
    help: 'a host name the BBS is reached by (bbs.example.org); requests on the front port (the page, /directory, the WebSocket) naming another Host are refused (421); repeat for each, or list them in M2BBS_HOSTS with commas',
  },
} as const satisfies FlagTable;

/** What the flags of CAP_FLAGS set. */
export interface CapConfig {
  readonly maxPerAddress: number;
  readonly maxConnections: number;
  readonly connectionsPerMinute: number;
  readonly headerTimeoutMs: number;
  readonly hosts: readonly string[];
}

/** Reads the flags' values (and M2BBS_HOSTS when no `--host` is given), adding a problem for a bad name. */
export function capConfig(values: FlagValues<typeof CAP_FLAGS>, env: NodeJS.ProcessEnv, problems: ConfigProblems): CapConfig {
  const fromEnv = values.host.length === 0;
  const given = fromEnv ? (env[HOSTS_ENV] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '') : values.host;
  for (const name of given) {
    if (!HOST_NAME.test(name)) problems.add(`${fromEnv ? HOSTS_ENV : '--host'}: expected a host name such as bbs.example.org, got "${name}"`);
  }
  return Object.freeze({
    maxPerAddress: values['max-per-address'],
    maxConnections: values['max-connections'],
    connectionsPerMinute: values['connections-per-minute'],
    headerTimeoutMs: values['header-timeout-ms'],
    hosts: Object.freeze(given.map(hostName)),
  });
}

/** The `m2bbs proxy` arguments that give `config` again (what `m2bbs start` passes on). */
export function capArgs(config: CapConfig): string[] {
  return [
    ...['--max-per-address', String(config.maxPerAddress), '--max-connections', String(config.maxConnections), '--connections-per-minute', String(config.connectionsPerMinute), '--header-timeout-ms', String(config.headerTimeoutMs)],
    ...config.hosts.flatMap((name) => ['--host', name]),
  ];
}

const HOST_NAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*\.?$/;
