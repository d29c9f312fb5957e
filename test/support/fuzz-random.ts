/**
 * A small seeded random generator for the fuzz tests: the same seed gives the same inputs, so a
 * failure found once can be replayed with M2BBS_FUZZ_SEED.
 */
import { randomInt } from 'node:crypto';

/** The environment variable that fixes the fuzz seed, to replay a run. */
export const FUZZ_SEED_ENV = 'M2BBS_FUZZ_SEED';

/** This run's seed: M2BBS_FUZZ_SEED when set, a fresh random one otherwise. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[FUZZ_SEED_ENV];
  if (text === undefined || text.trim() === '') return randomInt(0, 2 ** 32);
  if (!/^\d{1,10}$/.test(text.trim()) || Number(text) >= 2 ** 32) {
    throw new RangeError(`Expected ${FUZZ_SEED_ENV} to be a whole number from 0 to ${2 ** 32 - 1}, got "${text}"`);
  }
  return Number(text);
}

/** The words every fuzz failure message starts with: the seed and how to replay it. */
export function replayHint(seed: number, file = 'the test file'): string {
  return `fuzz seed ${seed} (replay: ${FUZZ_SEED_ENV}=${seed} npx vitest run ${file})`;
}

/** A mulberry32 generator: tiny, fast, and plenty for choosing fuzz input. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /**
   * The generator of one stream of a seed (a door, a connection by its number): each stream's
   * values depend only on the seed and its name, never on how concurrent streams interleave.
   */
  static stream(seed: number, ...name: readonly (string | number)[]): Random {
    // FNV-1a over the seed and the stream's name.
    let hash = 0x811c9dc5 ^ seed;
    for (const char of `${seed}/${name.join('/')}`) {
      hash ^= char.charCodeAt(0);
      hash = Math.imul(hash, 0x01000193);
    }
    return new Random(hash);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Expected a non-empty list to pick from, got an empty one');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** `length` random bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** A length that is usually small and sometimes large, as real junk is. */
  size(max: number): number {
    const roll = this.next();
    if (roll < 0.6) return this.int(0, Math.min(max, 32));
    if (roll < 0.9) return this.int(0, Math.min(max, 1024));
    return this.int(0, max);
  }
}
