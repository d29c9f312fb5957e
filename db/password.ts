import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters: CPU/memory cost N (a power of two), block size r and parallelism p. */
export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** The cost used for new passwords: about 16 MiB and tens of milliseconds per hash. */
export const DEFAULT_SCRYPT_COST: ScryptCost = Object.freeze({ N: 16384, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Caps what a stored string may ask for, so a tampered row cannot make verify allocate gigabytes.
const MAX_MEMORY = 256 * 1024 * 1024;
const MAX_P = 16;

// OpenSSL's exact requirement (checked against node:crypto): 128 * r * (N + p + 2) bytes.
function memoryFor(cost: ScryptCost): number {
  return 128 * cost.r * (cost.N + cost.p + 2);
}

function costProblem(cost: ScryptCost): string | undefined {
  const { N, r, p } = cost;
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) return `N to be a power of two of at least 2, got ${N}`;
  if (!Number.isSafeInteger(r) || r < 1) return `r to be a positive integer, got ${r}`;
  if (!Number.isSafeInteger(p) || p < 1 || p > MAX_P) return `p to be an integer from 1 to ${MAX_P}, got ${p}`;
  const memory = memoryFor(cost);
  if (memory > MAX_MEMORY) return `N and r to need at most ${MAX_MEMORY} bytes, got ${memory}`;
  return undefined;
}

function deriveKey(password: string, salt: Buffer, keyBytes: number, cost: ScryptCost): Promise<Buffer> {
  const options = { N: cost.N, r: cost.r, p: cost.p, maxmem: memoryFor(cost) };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const INTEGER = /^[1-9][0-9]{0,9}$/;

// Node's base64 decoder skips junk characters, so insist the text round-trips exactly.
function strictBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 && bytes.toString('base64') === text ? bytes : undefined;
}

function parseStored(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6) return undefined;
  const [scheme, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  if (scheme !== 'scrypt' || !INTEGER.test(n) || !INTEGER.test(r) || !INTEGER.test(p)) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (costProblem(cost) !== undefined) return undefined;
  const salt = strictBase64(saltText);
  const hash = strictBase64(hashText);
  // A shorter hash would still match: scrypt's output for a smaller key length is a prefix of the full key.
  if (salt === undefined || salt.length < SALT_BYTES || hash?.length !== KEY_BYTES) return undefined;
  return { cost, salt, hash };
}

/**
 * How much scrypt work a hash at `cost`, or checking a password against `stored`, takes, in hashes
 * at DEFAULT_SCRYPT_COST (memory and time both grow with N, r and p); 0 for a malformed stored string.
 */
export function hashWork(costOrStored: ScryptCost | string): number {
  const cost = typeof costOrStored === 'string' ? parseStored(costOrStored)?.cost : costOrStored;
  if (cost === undefined) return 0;
  return (cost.N * cost.r * cost.p) / (DEFAULT_SCRYPT_COST.N * DEFAULT_SCRYPT_COST.r * DEFAULT_SCRYPT_COST.p);
}

/** Hashes `password` with a fresh random salt into 'scrypt$N$r$p$saltB64$hashB64'. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  if (typeof password !== 'string') throw new TypeError(`Expected password to be a string, got ${typeof password}`);
  const problem = costProblem(cost);
  if (problem !== undefined) throw new RangeError(`Expected ${problem}`);
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, KEY_BYTES, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; a malformed `stored` string gives false rather than an error. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (typeof password !== 'string') throw new TypeError(`Expected password to be a string, got ${typeof password}`);
  if (typeof stored !== 'string') return false;
  const parsed = parseStored(stored);
  if (parsed === undefined) return false;
  try {
    const key = await deriveKey(password, parsed.salt, KEY_BYTES, parsed.cost);
    return timingSafeEqual(key, parsed.hash);
  } catch {
    return false;
  }
}

/**
 * True when two secrets typed by a caller (a new password and its repeat) are the same, in a time
 * that does not depend on where they differ: their SHA-256 digests, of equal length, are compared.
 */
export function sameSecret(a: string, b: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
