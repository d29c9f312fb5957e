/**
 * The CURVE flags of the proxy and of a backend, and reading their key files into the keys they
 * name: every problem (a missing file, a malformed one, a secret readable by others, half the
 * flags) is added to the command's list, never thrown.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblems } from './config-problems.js';
import { readCert, type CurveKeyPair } from './curve-cert.js';
import type { FlagTable } from './flag-table.js';

/** The backends' public keys allowed to attach, by number: each number's keys (by key, their file's name). */
export type CurveClients = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The proxy's keys: its own pair, and for each number the backends' public keys allowed on its endpoints only. */
export interface ProxyCurve extends CurveKeyPair {
  readonly clients: CurveClients;
  /** The --curve-clients folder, read again for a number added while the proxy runs. */
  readonly clientsDir?: string;
}

/** A backend's keys: its own pair and the proxy's public key. */
export interface HandlerCurve extends CurveKeyPair {
  readonly serverKey: string;
}

/** `--curve-key` and `--curve-clients` of `m2bbs proxy` (and `m2bbs start`). */
export const PROXY_CURVE_FLAGS = {
  'curve-key': {
    kind: 'string',
    arg: 'FILE',
    env: 'M2BBS_CURVE_KEY',
    help: "the proxy's secret certificate (NAME.key from m2bbs keys): every tcp:// backend endpoint then takes only CURVE-encrypted backends whose key is in --curve-clients",
  },
  'curve-clients': {
    kind: 'string',
    arg: 'DIR',
    env: 'M2BBS_CURVE_CLIENTS',
    help: "a folder of the public certificates of the backends allowed to attach, each on its number's endpoints only: DIR/bbs.20.pub, or every *.pub in DIR/bbs.20/ (several backends of one number); any other key is refused, and logged",
  },
} as const satisfies FlagTable;

/** `--curve-key` and `--curve-server` of `m2bbs handler`. */
export const HANDLER_CURVE_FLAGS = {
  'curve-key': {
    kind: 'string',
    arg: 'FILE',
    env: 'M2BBS_CURVE_KEY',
    help: "this backend's secret certificate (NAME.key from m2bbs keys), to attach to a proxy's tcp:// endpoints over CURVE",
  },
  'curve-server': {
    kind: 'string',
    arg: 'FILE',
    env: 'M2BBS_CURVE_SERVER',
    help: "the proxy's public certificate (its NAME.pub)",
  },
} as const satisfies FlagTable;

/** The proxy's CURVE keys from its flags, undefined when neither flag is given. */
export function proxyCurve(key: string | undefined, clients: string | undefined, problems: ConfigProblems): ProxyCurve | undefined {
  if (key === undefined && clients === undefined) return undefined;
  if (key === undefined || clients === undefined) {
    problems.add('--curve-key and --curve-clients go together: the proxy needs its own secret certificate and the folder of backend keys it lets in');
    return undefined;
  }
  const own = readCert('--curve-key', key, 'secret');
  const allowed = readCurveClients(clients, problems);
  if ('problem' in own) {
    problems.add(own.problem);
    return undefined;
  }
  return { publicKey: own.cert.publicKey, secretKey: own.cert.secretKey ?? '', clients: allowed, clientsDir: clients };
}

/**
 * Reads --curve-clients DIR: DIR/NUMBER.pub is a key allowed on NUMBER's endpoints only, and so is
 * every *.pub in a folder DIR/NUMBER/ (several backends serving one number).
 */
export function readCurveClients(dir: string, problems: ConfigProblems): CurveClients {
  const allowed = new Map<string, Map<string, string>>();
  const allow = (number: string, file: string, name: string): void => {
    const read = readCert('--curve-clients', file, 'public');
    if ('problem' in read) problems.add(read.problem);
    else allowed.set(number, (allowed.get(number) ?? new Map<string, string>()).set(read.cert.publicKey, name));
  };
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    problems.add(`--curve-clients: cannot read the folder ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message}`);
    return allowed;
  }
  let found = 0;
  for (const entry of entries) {
    const path = join(dir, entry);
    if (entry.endsWith('.pub')) {
      found++;
      allow(entry.slice(0, -'.pub'.length), path, entry.slice(0, -'.pub'.length));
    } else if (!entry.startsWith('.') && isFolder(path)) {
      let inside: string[] = [];
      try {
        inside = readdirSync(path).filter((name) => name.endsWith('.pub')).sort();
      } catch (error) {
        problems.add(`--curve-clients: cannot read the folder ${path}: ${(error as Error).message}`);
      }
      for (const file of inside) {
        found++;
        allow(entry, join(path, file), `${entry}/${file.slice(0, -'.pub'.length)}`);
      }
    }
  }
  if (found === 0) problems.add(`--curve-clients: no certificate in ${dir} (NUMBER.pub, or *.pub in a folder NUMBER/), so no backend could attach`);
  return allowed;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A backend's CURVE keys from its flags, undefined when neither flag is given. */
export function handlerCurve(key: string | undefined, server: string | undefined, problems: ConfigProblems): HandlerCurve | undefined {
  if (key === undefined && server === undefined) return undefined;
  if (key === undefined || server === undefined) {
    problems.add("--curve-key and --curve-server go together: the backend needs its own secret certificate and the proxy's public one");
    return undefined;
  }
  const own = readCert('--curve-key', key, 'secret');
  const proxy = readCert('--curve-server', server, 'public');
  if ('problem' in own) problems.add(own.problem);
  if ('problem' in proxy) problems.add(proxy.problem);
  if ('problem' in own || 'problem' in proxy) return undefined;
  return { publicKey: own.cert.publicKey, secretKey: own.cert.secretKey ?? '', serverKey: proxy.cert.publicKey };
}
