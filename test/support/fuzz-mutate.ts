/**
 * Byte mutations and odd JSON for the fuzz tests: valid traffic with bits flipped, cut short,
 * spliced, or stuffed with NULs, invalid UTF-8 and huge numbers.
 */
import type { Random } from './fuzz-random.js';

/** Byte runs that trouble parsers: invalid UTF-8, NULs, CR/LF, IAC, huge decimal lengths. */
export const NASTY_BYTES: readonly Buffer[] = [
  Buffer.from([0x00]),
  Buffer.from([0x00, 0x00, 0x00]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0x80]),
  Buffer.from('\r\n'),
  Buffer.from('\r\0'),
  Buffer.from([0xff, 0xff]),
  Buffer.from('\u001b[2J\u001b]0;title\u0007'),
  Buffer.from('\u0085\u009b'),
  Buffer.from('999999999999999999999'),
  Buffer.from('4294967296'),
  Buffer.from('-1'),
  Buffer.from('{'),
  Buffer.from('}'),
  Buffer.from('"'),
  Buffer.from('\\u0000'),
  Buffer.from('\\ud800'),
  Buffer.from('@'),
  Buffer.from(' '),
  Buffer.from(','),
  Buffer.from(':'),
  Buffer.from('😀'),
];

/** Strings for JSON values: the empty one, escapes, lone surrogates, markup, long runs. */
const JSON_STRINGS: readonly string[] = [
  '', 'connect', 'q', 'Q', '.', '1', '2', 'y', 'n', ' ', '\t', '\r\n', '\n\n\n', '\u0000', '\u001b[31m', '\ud800', '\udfff',
  '😀', 'ÿ', '\u2028', '%s%n', '${x}', '<script>', 'a'.repeat(300), 'sysop', 'null',
];

// Keys a careless parser could trip on ("toString" and "valueOf" once stopped a backend's receive loop).
const JSON_KEYS: readonly string[] = ['type', 'msg', 'ping', '', 'constructor', '__proto__', 'prototype', 'length', 'MSG', 'Type', '\u0000', 'toString', 'valueOf'];
const JSON_TYPES: readonly string[] = ['msg', 'ping', 'disconnect', 'MSG', '', 'notice', 'exit', 'prompt'];

/** A random JSON text: nested arrays and objects, odd keys, odd numbers, odd strings. */
export function randomJson(rng: Random, depth = 0): string {
  const roll = rng.int(0, depth > 4 ? 5 : 8);
  switch (roll) {
    case 0:
      return rng.pick(['null', 'true', 'false', '0', '-0', '1e999', '-1e-999', '123456789012345678901234567890', '0.1', '1E+2']);
    case 1:
    case 2:
      return JSON.stringify(rng.pick(JSON_STRINGS));
    case 3:
      return JSON.stringify(rng.pick(JSON_TYPES));
    case 4:
    case 5:
      return JSON.stringify(rng.pick(JSON_KEYS));
    case 6:
      return `[${Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth + 1)).join(',')}]`;
    case 7:
      return randomObject(rng, depth + 1);
    default:
      // Deep nesting, which a recursive parser might not survive.
      return `${'['.repeat(rng.int(100, 5000))}${'1'}${']'.repeat(rng.int(100, 5000))}`;
  }
}

/** A random JSON object, often shaped like a caller's message. */
export function randomObject(rng: Random, depth = 0): string {
  const fields: string[] = [];
  if (rng.chance(0.7)) fields.push(`"type":${rng.chance(0.6) ? JSON.stringify(rng.pick(JSON_TYPES)) : randomJson(rng, depth + 1)}`);
  if (rng.chance(0.7)) fields.push(`"msg":${rng.chance(0.6) ? JSON.stringify(rng.pick(JSON_STRINGS)) : randomJson(rng, depth + 1)}`);
  for (let i = rng.int(0, 3); i > 0; i--) fields.push(`${JSON.stringify(rng.pick(JSON_KEYS))}:${randomJson(rng, depth + 1)}`);
  for (let i = fields.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [fields[i], fields[j]] = [fields[j] as string, fields[i] as string];
  }
  return `{${fields.join(',')}}`;
}

/** Applies one to four mutations to `valid`: flips, cuts, repeats, inserts nasty bytes, splices. */
export function mutate(rng: Random, valid: Buffer): Buffer {
  let out: Buffer = Buffer.from(valid);
  for (let n = rng.int(1, 4); n > 0; n--) out = mutateOnce(rng, out);
  return out;
}

function mutateOnce(rng: Random, data: Buffer): Buffer {
  const at = rng.int(0, data.length);
  switch (rng.int(0, 7)) {
    case 0: {
      if (data.length === 0) return data;
      const copy = Buffer.from(data);
      const i = rng.int(0, copy.length - 1);
      copy[i] = (copy[i] as number) ^ (1 << rng.int(0, 7));
      return copy;
    }
    case 1:
      return data.subarray(0, at);
    case 2:
      return data.subarray(at);
    case 3: {
      const end = rng.int(at, Math.min(data.length, at + 64));
      return Buffer.concat([data.subarray(0, end), data.subarray(at, end), data.subarray(at)]);
    }
    case 4:
      return Buffer.concat([data.subarray(0, at), rng.pick(NASTY_BYTES), data.subarray(at)]);
    case 5:
      return Buffer.concat([data.subarray(0, at), data.subarray(rng.int(at, data.length))]);
    case 6:
      return Buffer.concat([data.subarray(0, at), rng.bytes(rng.int(1, 8)), data.subarray(at)]);
    default: {
      if (data.length === 0) return data;
      const copy = Buffer.from(data);
      copy[rng.int(0, copy.length - 1)] = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x0d, 0x0a, 0x20, 0x22, 0x5c]);
      return copy;
    }
  }
}

/** Cuts `data` into one to `max` pieces, so that parsers see frames split across reads. */
export function chunks(rng: Random, data: Buffer, max = 6): Buffer[] {
  if (data.length < 2 || rng.chance(0.4)) return [data];
  const cuts = new Set<number>();
  for (let n = rng.int(1, max - 1); n > 0; n--) cuts.add(rng.int(1, data.length - 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  return [0, ...sorted].map((start, i) => data.subarray(start, sorted[i] ?? data.length));
}
