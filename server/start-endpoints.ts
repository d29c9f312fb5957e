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
import type { BusKeyFiles } from './start-bus.js';
import { dropEndpointFolder, ipcBackendSpec, makeEndpointFolder, removeIpcFiles, START_KEYS_FOLDER } from './endpoint-folder.js';

/** The local backends' endpoints as the first proxy is to bind them, what proxy and backends are given, and how to clean up. */
export interface StartEndpoints {
  readonly specs: readonly BackendSpec[];
  /** For the proxy: its --endpoint-dir, and its CURVE flags when there are any. */
  readonly proxyArgs: readonly string[];
  /** For every local backend: its CURVE flags under --zmq curve. */
  readonly backendArgs: readonly string[];
  /** Under --zmq curve: the keys the event bus device serves CURVE with. */
  readonly busKeys?: BusKeyFiles;
  /** The private 0700 folder (under every --zmq: the control socket lives in it). */
  readonly folder: string;
  /** Endpoints for the proxy to bind for a later generation of a number, or a number added while running. */
  specFor(number: string, generation: number): BackendSpec;
  /** Removes the endpoint files of a link the proxy dropped (ipc sockets; nothing for tcp). */
  removeSpec(spec: BackendSpec): void;
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
  const loopbackOf = (number: string): BackendSpec => ({ number, sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' });
  const loopback = numbers.map(loopbackOf);
  const folder = makeEndpointFolder();
  const common = { folder, remove: () => dropEndpointFolder(folder) };
  try {
    // The folder holds no endpoint under tcp, but the control socket and the run file's pointer:
    // a proxy orphaned by a killed start, stopping last, removes them with it.
    if (zmq === 'tcp') return { specs: loopback, proxyArgs: ['--endpoint-dir', folder, ...sysopCurve], backendArgs: [], specFor: loopbackOf, removeSpec: () => undefined, ...common };
    if (zmq === 'curve') {
      const keys = curveKeys(folder, numbers, sysopCurve);
      const specFor = (number: string): BackendSpec => {
        // A number added while running lets in the local key on its own endpoints, like the first ones.
        letLocalKeyIn(folder, number);
        return loopbackOf(number);
      };
      return { specs: loopback, ...keys, specFor, removeSpec: () => undefined, ...common };
    }
    const ipcSpec = (number: string, generation: number): BackendSpec => {
      const made = ipcBackendSpec(folder, number, generation);
      if ('problem' in made) throw new BbsError('BBS_ERR_CONFIG', `m2bbs start: ${made.problem}; or use --zmq tcp`);
      return made.spec;
    };
    const specs = numbers.map((number) => ipcSpec(number, 1));
    return { specs, proxyArgs: ['--endpoint-dir', folder, ...sysopCurve], backendArgs: [], specFor: ipcSpec, removeSpec: (spec) => removeIpcFiles(folder, spec), ...common };
  } catch (error) {
    dropEndpointFolder(folder);
    throw error;
  }
}

function letLocalKeyIn(folder: string, number: string): void {
  const clients = join(folder, START_KEYS_FOLDER, 'clients');
  mkdirSync(join(clients, number), { recursive: true, mode: 0o700 });
  copyFileSync(join(folder, START_KEYS_FOLDER, `${LOCAL_NAME}.pub`), join(clients, number, `${LOCAL_NAME}.pub`));
}

function curveKeys(folder: string, numbers: readonly string[], sysopCurve: readonly string[]): { proxyArgs: readonly string[]; backendArgs: readonly string[]; busKeys: BusKeyFiles } {
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
  for (const number of numbers) letLocalKeyIn(folder, number);
  const proxyKey = proxy?.secretFile ?? sysopKey ?? '';
  // The sysop's secret certificate holds the public key too, which is all a backend reads of it.
  const proxyPub = proxy?.publicFile ?? proxyKey;
  return {
    proxyArgs: ['--endpoint-dir', folder, '--curve-key', proxyKey, '--curve-clients', clients],
    backendArgs: ['--curve-key', local.secretFile, '--curve-server', proxyPub],
    // The bus speaks CURVE with the proxy's key, so a backend's --curve-server serves for both.
    busKeys: { secretFile: proxyKey, clientsDir: clients },
  };
}
