/**
 * The endpoints `m2bbs start` gives its local backends, by `--zmq`: ipc:// sockets in a private
 * 0700 folder; loopback tcp://; or loopback tcp:// with CURVE, with throwaway key pairs for the
 * proxy and the local backends made in that private folder (so a sysop can try CURVE, and the
 * bench measure it, on one host). The folder and the keys in it go when the BBS stops.
 */
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeKeyPair } from '../common/curve-cert.js';
import { BbsError } from '../common/errors.js';
import type { BackendSpec } from './backend-link.js';
import { dropEndpointFolder, ipcBackendSpec, makeEndpointFolder, START_KEYS_FOLDER } from './endpoint-folder.js';

/** The local backends' endpoints as the first proxy is to bind them, what proxy and backends are given, and how to clean up. */
export interface StartEndpoints {
  readonly specs: readonly BackendSpec[];
  /** For the proxy: its --endpoint-dir, and its CURVE flags when there are any. */
  readonly proxyArgs: readonly string[];
  /** For every local backend: its CURVE flags under --zmq curve. */
  readonly backendArgs: readonly string[];
  remove(): void;
}

// The local backends' public certificate among the keys the proxy lets in; a name no `m2bbs keys`
// file of the sysop's is likely to have, and the one the ZAP handler logs.
const LOCAL_NAME = 'm2bbs-local';

/**
 * Makes the endpoints of `numbers` for `zmq`. `sysopCurve` is `--curve-key FILE --curve-clients DIR`
 * when given: under curve the proxy then keeps the sysop's key (remote backends know its public
 * one) and lets in the sysop's backends as well as the local ones.
 */
export function startEndpoints(zmq: 'ipc' | 'tcp' | 'curve', numbers: readonly string[], sysopCurve: readonly string[]): StartEndpoints {
  const loopback = numbers.map((number) => ({ number, sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' }));
  if (zmq === 'tcp') return { specs: loopback, proxyArgs: sysopCurve, backendArgs: [], remove: () => undefined };
  const folder = makeEndpointFolder();
  try {
    if (zmq === 'curve') return { specs: loopback, ...curveKeys(folder, numbers, sysopCurve), remove: () => dropEndpointFolder(folder) };
    const specs: BackendSpec[] = [];
    for (const number of numbers) {
      const made = ipcBackendSpec(folder, number);
      if ('problem' in made) throw new BbsError('BBS_ERR_CONFIG', `m2bbs start: ${made.problem}; or use --zmq tcp`);
      specs.push(made.spec);
    }
    return { specs, proxyArgs: ['--endpoint-dir', folder, ...sysopCurve], backendArgs: [], remove: () => dropEndpointFolder(folder) };
  } catch (error) {
    dropEndpointFolder(folder);
    throw error;
  }
}

function curveKeys(folder: string, numbers: readonly string[], sysopCurve: readonly string[]): { proxyArgs: readonly string[]; backendArgs: readonly string[] } {
  // Inside the 0700 folder, the secret certificates 0600 as m2bbs keys writes them.
  const keys = join(folder, START_KEYS_FOLDER);
  const clients = join(keys, 'clients');
  mkdirSync(clients, { recursive: true, mode: 0o700 });
  const given = (flag: string): string | undefined => (sysopCurve.includes(flag) ? sysopCurve[sysopCurve.indexOf(flag) + 1] : undefined);
  const sysopKey = given('--curve-key');
  const sysopClients = given('--curve-clients');
  const proxy = sysopKey === undefined ? writeKeyPair(keys, 'proxy') : undefined;
  const local = writeKeyPair(keys, LOCAL_NAME);
  // A copy, as the proxy reads --curve-clients once at its start anyway (the sysop's NUMBER.pub
  // files and NUMBER/ folders as they are, where the proxy checks them).
  if (sysopClients !== undefined) cpSync(sysopClients, clients, { recursive: true });
  // Each local number lets in the local key, on its own endpoints only, like any other.
  for (const number of numbers) {
    mkdirSync(join(clients, number), { recursive: true, mode: 0o700 });
    copyFileSync(local.publicFile, join(clients, number, `${LOCAL_NAME}.pub`));
  }
  const proxyKey = proxy?.secretFile ?? sysopKey ?? '';
  // The sysop's secret certificate holds the public key too, which is all a backend reads of it.
  const proxyPub = proxy?.publicFile ?? proxyKey;
  return {
    proxyArgs: ['--endpoint-dir', folder, '--curve-key', proxyKey, '--curve-clients', clients],
    backendArgs: ['--curve-key', local.secretFile, '--curve-server', proxyPub],
  };
}
