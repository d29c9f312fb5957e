/**
 * `m2bbs start --remote-backend`: backend numbers served from other hosts over tcp:// with CURVE,
 * next to the local backends on their private ipc sockets. The proxy binds their endpoints; the
 * supervisor starts no process for them; a caller is dialled to one once its backend attaches.
 */
import { defaultBackend } from '../common/backend-defaults.js';
import type { ConfigProblems } from '../common/config-problems.js';
import { PROXY_CURVE_FLAGS, proxyCurve } from '../common/curve-flags.js';
import type { FlagTable } from '../common/flag-table.js';
import type { BackendSpec } from './backend-link.js';

/** The flags of `m2bbs start` for backends on other hosts. */
export const REMOTE_FLAGS = {
  'remote-backend': {
    kind: 'string',
    arg: 'NUMBER=SEND_SPEC,RECV_SPEC',
    multiple: true,
    help: 'a number served by a backend on another host, e.g. bbs.20=tcp://0.0.0.0:9920,tcp://0.0.0.0:9921 (the proxy binds both; that backend connects with --curve-key and --curve-server); needs --curve-key and --curve-clients; repeat for each',
  },
  ...PROXY_CURVE_FLAGS,
} as const satisfies FlagTable;

/** The remote numbers and what the proxy is given for them and for CURVE. */
export interface RemoteBackends {
  readonly specs: readonly BackendSpec[];
  /** `--curve-key FILE --curve-clients DIR` for the proxy, when given. */
  readonly curveArgs: readonly string[];
}

/** Reads and checks the remote backends and the CURVE flags of `m2bbs start`, problems to `problems`. */
export function remoteBackends(
  values: { readonly 'remote-backend': readonly string[]; readonly 'curve-key': string | undefined; readonly 'curve-clients': string | undefined },
  local: { readonly count: number; readonly zmq: 'ipc' | 'tcp' | 'curve' },
  problems: ConfigProblems,
): RemoteBackends {
  const localNumbers = Array.from({ length: local.count }, (_, i) => defaultBackend(i).number);
  const specs: BackendSpec[] = [];
  for (const text of values['remote-backend']) {
    const match = /^(bbs\.\d{1,6})=(tcp:\/\/[^,\s]+:\d{1,5}),(tcp:\/\/[^,\s]+:\d{1,5})$/.exec(text);
    if (match === null) {
      problems.add(`--remote-backend: expected bbs.N=tcp://HOST:PORT,tcp://HOST:PORT such as bbs.20=tcp://0.0.0.0:9920,tcp://0.0.0.0:9921, got "${text}"`);
      continue;
    }
    const [, number = '', sendSpec = '', recvSpec = ''] = match;
    if (localNumbers.includes(number)) problems.add(`--remote-backend ${number}: that number is one of the ${local.count} local backends (${localNumbers.join(', ')}); pick one past ${localNumbers.at(-1) ?? 'bbs.10'}`);
    if (specs.some((s) => s.number === number)) problems.add(`--remote-backend: ${number} is given twice`);
    if ([sendSpec, recvSpec].some((spec) => /:0+$/.test(spec))) problems.add(`--remote-backend ${number}: give fixed ports (not 0), so the backend on the other host knows where to connect`);
    if (sendSpec === recvSpec) problems.add(`--remote-backend ${number}: the two endpoints must differ, both are ${sendSpec}`);
    specs.push({ number, sendSpec, recvSpec });
  }
  const curve = proxyCurve(values['curve-key'], values['curve-clients'], problems);
  if (specs.length > 0 && curve === undefined && values['curve-key'] === undefined && values['curve-clients'] === undefined) {
    problems.add('--remote-backend needs --curve-key and --curve-clients: a tcp:// endpoint open to the network without CURVE lets anyone read and forge what callers type');
  }
  if (curve !== undefined && local.zmq === 'tcp') {
    problems.add('--curve-key with --zmq tcp: the local backends would need keys of their own; keep the default --zmq ipc (local backends on private ipc sockets, remote ones over CURVE)');
  }
  const curveArgs = values['curve-key'] === undefined || values['curve-clients'] === undefined ? [] : ['--curve-key', values['curve-key'], '--curve-clients', values['curve-clients']];
  return { specs, curveArgs };
}
