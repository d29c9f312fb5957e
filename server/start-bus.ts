/**
 * The event bus device `m2bbs start` hosts for its backends: ipc:// sockets in the private folder,
 * or loopback tcp:// (with CURVE under --zmq curve, the proxy's key, every key a backend of any
 * number may attach with let in), and the `--bus` flag each backend is started with.
 */
import { join } from 'node:path';
import { ConfigProblems } from '../common/config-problems.js';
import { readCert } from '../common/curve-cert.js';
import { readCurveClients } from '../common/curve-flags.js';
import { BbsError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { startBusDevice, type BusCurve, type BusDevice } from './bus-device.js';
import { BUS_SOCKET_NAMES } from './endpoint-folder.js';

/** Where the bus's CURVE keys are under --zmq curve: the proxy's secret certificate and the folder of the backends' public ones. */
export interface BusKeyFiles {
  readonly secretFile: string;
  readonly clientsDir: string;
}

/**
 * Starts the device of a BBS whose private folder is `folder`, on the transport of its backends;
 * `onStopped` hears of it stopping by itself. Under --zmq curve without key files it refuses to
 * start rather than carry every chat line in the clear.
 */
export async function startBusFor(zmq: 'ipc' | 'tcp' | 'curve', folder: string, log: Logger, keys?: BusKeyFiles, onStopped?: (why: string) => void): Promise<BusDevice> {
  if (zmq === 'ipc') {
    const [inName, outName] = BUS_SOCKET_NAMES;
    return startBusDevice(`ipc://${join(folder, inName)}`, `ipc://${join(folder, outName)}`, log, undefined, onStopped);
  }
  if (zmq === 'curve' && keys === undefined) throw new BbsError('BBS_ERR_CONFIG', 'm2bbs start (bus): --zmq curve but no CURVE key files for the bus; it will not run in the clear');
  return startBusDevice('tcp://127.0.0.1:*', 'tcp://127.0.0.1:*', log, zmq === 'curve' && keys !== undefined ? readBusCurve(keys, 'm2bbs start (bus)', new ConfigProblems()) : undefined, onStopped);
}

/** The bus's CURVE from its key files: the secret certificate, and every key of the clients folder let in; problems go to `problems`, checked as `command`. */
export function readBusCurve(keys: BusKeyFiles, command: string, problems: ConfigProblems): BusCurve {
  const own = readCert('--curve-key', keys.secretFile, 'secret');
  const clients = readCurveClients(keys.clientsDir, problems);
  if ('problem' in own) problems.add(own.problem);
  problems.check(command);
  if ('problem' in own || own.cert.secretKey === undefined) throw new BbsError('BBS_ERR_CONFIG', `${command}: no secret key in ${keys.secretFile}`);
  // The bus has no numbers: any backend allowed on any number may attach.
  const allowed = new Map<string, string>();
  for (const [number, byKey] of clients) for (const [key, name] of byKey) allowed.set(key, `${number}:${name}`);
  return { secretKey: own.cert.secretKey, allowed };
}
