/** The `m2bbs proxy` configuration: flags, then environment, then defaults; validated at once. */
import { randomUUID } from 'node:crypto';
import { defaultBackend } from '../common/backend-defaults.js';
import { ConfigProblems, isZmqEndpoint, logLevelFrom, parseFlags } from '../common/config-problems.js';
import type { LogLevel } from '../common/log.js';
import type { BackendSpec } from './backend-link.js';

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
}

export const PROXY_USAGE = `Usage: m2bbs proxy [flags]

The front proxy: callers in over telnet, JSON sockets and WebSocket (with the green-screen page),
Mongrel2 handler protocol out to the backends.

  --listen HOST:PORT     HTTP, WebSocket and JSON sockets   (M2BBS_LISTEN, default 127.0.0.1:6767)
  --telnet HOST:PORT     telnet                             (M2BBS_TELNET, default 127.0.0.1:2323)
  --backend NUMBER=SEND_SPEC,RECV_SPEC
                         a backend number and the endpoints bound for it; repeat for each
                         (default bbs.10=tcp://127.0.0.1:9910,tcp://127.0.0.1:9911
                          and bbs.11=tcp://127.0.0.1:9920,tcp://127.0.0.1:9921)
  --lines N              how many callers each backend takes (its --max-callers), for dialling
                         and the directory; unknown when not given
  --batch-requests       every backend is an m2bbs backend: the requests of one turn go to it
                         as one multipart message, a frame a part (a Mongrel2 handler may read
                         only the first part of a message, so this is off unless asked for;
                         m2bbs start asks for it)
  --log-level LEVEL      debug, info, warn, error or silent (M2BBS_LOG_LEVEL, default info)
  -h, --help             this text

Port 0 picks a free port; the "proxy ready" log line says which.`;

/** Parses and validates `m2bbs proxy` arguments, reporting every problem at once. */
export function parseProxyConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ProxyConfig {
  const values = parseFlags('m2bbs proxy', PROXY_USAGE, argv, {
    listen: { type: 'string' },
    telnet: { type: 'string' },
    backend: { type: 'string', multiple: true },
    'log-level': { type: 'string' },
    'telnet-negotiation-ms': { type: 'string' },
    lines: { type: 'string' },
    'batch-requests': { type: 'boolean' },
  });
  const problems = new ConfigProblems();
  const listen = parseAddress('listen', values.listen ?? env.M2BBS_LISTEN ?? '127.0.0.1:6767', problems);
  const telnet = parseAddress('telnet', values.telnet ?? env.M2BBS_TELNET ?? '127.0.0.1:2323', problems);
  const lines = values.lines === undefined ? undefined : problems.integer('lines', values.lines, 0, 1, 100_000);
  const backends = (values.backend ?? [0, 1].map((i) => {
    const spec = defaultBackend(i);
    return `${spec.number}=${spec.sendSpec},${spec.recvSpec}`;
  })).map((text) => ({ ...parseBackend(text, problems), ...(lines === undefined ? {} : { lines }), ...(values['batch-requests'] === true ? { batch: true } : {}) }));
  const numbers = backends.map((b) => b.number);
  const endpoints = backends.flatMap((b) => [b.sendSpec, b.recvSpec]).filter((spec) => !spec.endsWith(':*'));
  if (new Set(numbers).size !== numbers.length) problems.add(`--backend: each number may be given once, got ${numbers.join(', ')}`);
  if (new Set(endpoints).size !== endpoints.length) problems.add('--backend: every backend needs endpoints of its own');
  const logLevel = logLevelFrom(values['log-level'], env, problems);
  const telnetNegotiationMs = problems.integer('telnet-negotiation-ms', values['telnet-negotiation-ms'], 3000, 0, 10_000);
  problems.check('m2bbs proxy');
  return Object.freeze({ listen, telnet, backends, uuid: randomUUID(), logLevel, telnetNegotiationMs });
}

function parseAddress(flag: string, text: string, problems: ConfigProblems): Address {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    problems.add(`--${flag}: expected HOST:PORT such as 127.0.0.1:6767, got "${text}"`);
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
  }
  return { number, sendSpec, recvSpec };
}
