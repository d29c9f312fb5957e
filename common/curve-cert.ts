/**
 * CURVE key pairs as ZeroMQ certificate files, in CZMQ's zcert text format (so `zcert_load` and
 * CZMQ's tools read them): NAME.key holds both keys and is the owner's alone (0600), NAME.pub holds
 * the public key and is what is handed to the other side.
 */
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { curveKeyPair } from 'zeromq';
import { isZ85Key } from './curve-z85.js';
import { BbsError } from './errors.js';

/** The most a certificate file may hold (one m2bbs keys writes is about 300 bytes). */
const MAX_CERT_BYTES = 64 * 1024;

/** A certificate as read: its public key, and its secret key when it is a secret certificate. */
export interface CurveCert {
  readonly publicKey: string;
  readonly secretKey?: string;
}

/** A secret certificate: both keys. */
export interface CurveKeyPair {
  readonly publicKey: string;
  readonly secretKey: string;
}

function certText(kind: 'secret' | 'public', keys: CurveKeyPair, now: Date): string {
  const header =
    kind === 'secret'
      ? ['#   ZeroMQ CURVE **Secret** Certificate', '#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.']
      : ['#   ZeroMQ CURVE Public Certificate', '#   Exchange securely, or use a secure mechanism to verify the contents', '#   of this file after exchange.'];
  const lines = [`#   ****  Generated on ${now.toISOString().slice(0, 10)} by m2bbs keys  ****`, ...header, '', 'metadata', 'curve', `    public-key = "${keys.publicKey}"`];
  if (kind === 'secret') lines.push(`    secret-key = "${keys.secretKey}"`);
  return `${lines.join('\n')}\n`;
}

function writeNew(path: string, text: string, mode: number): void {
  // 'wx' refuses a file that exists, and the mode is set as it is made, never loosened later.
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Makes a key pair and writes DIR/NAME.key (0600) and DIR/NAME.pub; throws BBS_ERR_KEY_EXISTS rather than overwrite. */
export function writeKeyPair(dir: string, name: string, now = new Date()): { readonly secretFile: string; readonly publicFile: string; readonly publicKey: string } {
  const keys = curveKeyPair();
  const secretFile = join(dir, `${name}.key`);
  const publicFile = join(dir, `${name}.pub`);
  // Both are checked first so a refusal leaves neither file half made.
  for (const file of [secretFile, publicFile]) {
    if (existsSync(file)) throw new BbsError('BBS_ERR_KEY_EXISTS', `${file} already exists; m2bbs keys never overwrites a key`);
  }
  writeNew(secretFile, certText('secret', keys, now), 0o600);
  writeNew(publicFile, certText('public', keys, now), 0o644);
  return { secretFile, publicFile, publicKey: keys.publicKey };
}

/** Reads the keys of a zcert file's `curve` section; undefined values when they are not there. */
export function parseCert(text: string): { readonly publicKey?: string; readonly secretKey?: string } {
  const found: Record<string, string> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    // Z85 keys may hold '#': only a line that starts with it is a comment; a quoted value is whole.
    const line = raw.trimEnd();
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    // zconfig nests by indentation: an unindented name opens a section.
    if (!/^\s/.test(line)) {
      section = line.trim();
      continue;
    }
    const match = /^\s+([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s#]+))\s*(?:#.*)?$/.exec(line);
    if (section === 'curve' && match !== null) found[match[1] ?? ''] = match[2] ?? match[3] ?? match[4] ?? '';
  }
  return { ...(found['public-key'] === undefined ? {} : { publicKey: found['public-key'] }), ...(found['secret-key'] === undefined ? {} : { secretKey: found['secret-key'] }) };
}

/**
 * Reads certificate `file` given by `source` (a flag); a secret certificate must be readable by its
 * owner alone. Returns the keys, or a sentence saying what is wrong.
 */
export function readCert(source: string, file: string, kind: 'secret' | 'public'): { readonly cert: CurveCert } | { readonly problem: string } {
  let text: string;
  let mode: number;
  try {
    // Stat first: a device (/dev/zero), a FIFO or a huge file would hang the start or fill memory.
    const stat = statSync(file);
    mode = stat.mode & 0o777;
    if (stat.isDirectory()) return { problem: `${source}: cannot read ${file}: it is a folder` };
    if (!stat.isFile()) return { problem: `${source}: ${file} is not a regular file (a device, FIFO or socket); give a certificate file m2bbs keys wrote` };
    if (stat.size > MAX_CERT_BYTES) return { problem: `${source}: ${file} is ${stat.size} bytes, more than a certificate's ${MAX_CERT_BYTES}; give a certificate file m2bbs keys wrote` };
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    return { problem: `${source}: cannot read ${file}: ${why}` };
  }
  const { publicKey, secretKey } = parseCert(text);
  if (publicKey === undefined || !isZ85Key(publicKey)) return { problem: `${source}: ${file} is not a ZeroMQ certificate: expected curve public-key = "<40 Z85 characters>" (make one with m2bbs keys NAME)` };
  if (kind === 'public') return { cert: { publicKey } };
  if (secretKey === undefined || !isZ85Key(secretKey)) return { problem: `${source}: ${file} holds no secret key; give the NAME.key file m2bbs keys wrote, not NAME.pub` };
  if ((mode & 0o077) !== 0) return { problem: `${source}: ${file} may be read by other users (mode ${mode.toString(8)}); a secret key must be the owner's alone: chmod 600 ${file}` };
  return { cert: { publicKey, secretKey } };
}
