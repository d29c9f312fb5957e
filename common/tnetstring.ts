import { BbsError } from './errors.js';

/** A value a tnetstring can carry; `,` payloads are strings, or Buffers when asked for bytes. */
export type TnetValue =
  | string
  | Buffer
  | number
  | bigint
  | boolean
  | null
  | readonly TnetValue[]
  | { readonly [key: string]: TnetValue };

/** Options for parsing; `bytes: true` returns `,` payloads as Buffers instead of UTF-8 strings. */
export interface TnetParseOptions {
  readonly bytes?: boolean;
}

const MAX_DEPTH = 64;
// The reference implementation reads at most 9 length digits, so no payload exceeds this.
const MAX_LENGTH = 999_999_999;
// BigInt parsing is quadratic; Python 3.11+ refuses longer decimal integers for the same reason.
const MAX_INTEGER_DIGITS = 4300;
const COLON = 0x3a;
const INTEGER_RE = /^-?[0-9]+$/;
const FLOAT_RE = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// ignoreBOM keeps a leading U+FEFF in the string instead of silently dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Encodes one value as a tnetstring; integers use `#`, other finite numbers `^`. */
export function encodeTnetstring(value: TnetValue): Buffer {
  return encodeValue(value, 0);
}

/** Parses a buffer holding exactly one tnetstring, throwing BbsError on anything else. */
export function parseTnetstring(buf: Buffer, options: TnetParseOptions = {}): TnetValue {
  const { value, end } = parseTnetstringPrefix(buf, 0, options);
  if (end !== buf.length) {
    throw fail(`${buf.length - end} bytes of trailing data after the value at offset ${end}`);
  }
  return value;
}

/** Parses one tnetstring starting at `offset`; `end` is the index just after its type byte. */
export function parseTnetstringPrefix(
  buf: Buffer,
  offset = 0,
  options: TnetParseOptions = {},
): { value: TnetValue; end: number } {
  if (!Buffer.isBuffer(buf)) throw new TypeError(`Expected a Buffer, got ${describe(buf)}`);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > buf.length) {
    throw new RangeError(`Expected an offset from 0 to ${buf.length}, got ${String(offset)}`);
  }
  return parseAt(buf, offset, buf.length, 0, options.bytes === true);
}

function fail(message: string): BbsError {
  return new BbsError('BBS_ERR_TNETSTRING', message);
}

function showByte(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, '0')}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  if (typeof value === 'number') return `number ${String(value)}`;
  return typeof value;
}

function parseAt(buf: Buffer, start: number, limit: number, depth: number, bytes: boolean): { value: TnetValue; end: number } {
  const where = limit === buf.length ? `the end of the buffer (${buf.length} bytes)` : `the end of its container at offset ${limit}`;
  let i = start;
  while (i < limit && i - start <= 9 && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
  const digits = i - start;
  if (digits > 9) throw fail(`length at offset ${start} is longer than 9 digits`);
  if (i >= limit) {
    throw fail(digits === 0 ? `missing length at offset ${start}: input ends there` : `missing ':' after length at offset ${start}`);
  }
  if (buf[i] !== COLON) {
    if (digits === 0) throw fail(`length at offset ${start} starts with ${showByte(buf[i]!)}, not a digit`);
    throw fail(`non-digit ${showByte(buf[i]!)} in length at offset ${i}, expected ':'`);
  }
  if (digits === 0) throw fail(`empty length before ':' at offset ${start}`);
  if (digits > 1 && buf[start] === 0x30) throw fail(`length at offset ${start} has a leading zero`);
  const length = Number(buf.toString('latin1', start, i));
  const dataStart = i + 1;
  const dataEnd = dataStart + length;
  if (dataEnd > limit) throw fail(`length ${length} at offset ${start} runs past ${where}`);
  if (dataEnd === limit) throw fail(`missing type byte after the ${length}-byte payload at offset ${dataEnd}`);
  const type = buf[dataEnd]!;
  const end = dataEnd + 1;
  switch (type) {
    case 0x2c: // ','
      return { value: bytes ? Buffer.from(buf.subarray(dataStart, dataEnd)) : decodeUtf8(buf, dataStart, dataEnd), end };
    case 0x23: // '#'
      return { value: parseInteger(buf.toString('latin1', dataStart, dataEnd), start), end };
    case 0x5e: // '^'
      return { value: parseFloatPayload(buf.toString('latin1', dataStart, dataEnd), start), end };
    case 0x21: {
      // '!'
      const text = buf.toString('latin1', dataStart, Math.min(dataEnd, dataStart + 40));
      if (length <= 5 && (text === 'true' || text === 'false')) return { value: text === 'true', end };
      throw fail(`boolean at offset ${start} is ${JSON.stringify(text)}, expected "true" or "false"`);
    }
    case 0x7e: // '~'
      if (length !== 0) throw fail(`null at offset ${start} has a ${length}-byte payload, expected 0`);
      return { value: null, end };
    case 0x5d: // ']'
    case 0x7d: // '}'
      if (depth >= MAX_DEPTH) throw fail(`nesting deeper than ${MAX_DEPTH} at offset ${start}`);
      return { value: type === 0x5d ? parseList(buf, dataStart, dataEnd, depth, bytes) : parseDict(buf, start, dataStart, dataEnd, depth, bytes), end };
    default:
      throw fail(`unknown type byte ${showByte(type)} at offset ${dataEnd}`);
  }
}

function decodeUtf8(buf: Buffer, start: number, end: number): string {
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw fail(`string at offset ${start} is not valid UTF-8`);
  }
}

function parseInteger(text: string, offset: number): number | bigint {
  if (!INTEGER_RE.test(text)) throw fail(`integer at offset ${offset} has a bad payload ${JSON.stringify(text.slice(0, 40))}`);
  if (text.length > MAX_INTEGER_DIGITS) throw fail(`integer at offset ${offset} has more than ${MAX_INTEGER_DIGITS} digits`);
  const big = BigInt(text);
  const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
  return safe ? Number(big) : big;
}

function parseFloatPayload(text: string, offset: number): number {
  if (!FLOAT_RE.test(text)) throw fail(`float at offset ${offset} has a bad payload ${JSON.stringify(text.slice(0, 40))}`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw fail(`float at offset ${offset} is out of range`);
  return value;
}

function parseList(buf: Buffer, start: number, end: number, depth: number, bytes: boolean): TnetValue[] {
  const list: TnetValue[] = [];
  let cursor = start;
  while (cursor < end) {
    const item = parseAt(buf, cursor, end, depth + 1, bytes);
    list.push(item.value);
    cursor = item.end;
  }
  return list;
}

function parseDict(buf: Buffer, offset: number, start: number, end: number, depth: number, bytes: boolean): Record<string, TnetValue> {
  const dict: Record<string, TnetValue> = {};
  let cursor = start;
  while (cursor < end) {
    const keyAt = cursor;
    const key = parseAt(buf, cursor, end, depth + 1, false);
    if (typeof key.value !== 'string') {
      throw fail(`dict key at offset ${keyAt} is of type ${showByte(buf[key.end - 1]!)}, not a string`);
    }
    if (key.end >= end) throw fail(`dict at offset ${offset} has an odd element: key at offset ${keyAt} has no value`);
    if (Object.hasOwn(dict, key.value)) throw fail(`duplicate dict key ${JSON.stringify(key.value)} at offset ${keyAt}`);
    const item = parseAt(buf, key.end, end, depth + 1, bytes);
    // defineProperty, so a '__proto__' key becomes data instead of replacing the prototype.
    Object.defineProperty(dict, key.value, { value: item.value, enumerable: true, writable: true, configurable: true });
    cursor = item.end;
  }
  return dict;
}

function frame(payload: Buffer, type: string): Buffer {
  if (payload.length > MAX_LENGTH) throw new RangeError(`Expected a payload of at most ${MAX_LENGTH} bytes, got ${payload.length}`);
  return Buffer.concat([Buffer.from(`${payload.length}:`, 'latin1'), payload, Buffer.from(type, 'latin1')]);
}

function encodeValue(value: unknown, depth: number): Buffer {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE_RE.test(value)) throw new TypeError('Expected a well-formed string, got one with a lone surrogate');
      return frame(Buffer.from(value, 'utf8'), ',');
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Expected a finite number, got ${String(value)}`);
      if (!Number.isInteger(value)) return frame(Buffer.from(String(value), 'latin1'), '^');
      // String(1e21) is '1e+21', which is not an integer payload; BigInt spells it out.
      return frame(Buffer.from(Number.isSafeInteger(value) ? String(value) : BigInt(value).toString(), 'latin1'), '#');
    case 'bigint':
      return frame(Buffer.from(value.toString(), 'latin1'), '#');
    case 'boolean':
      return frame(Buffer.from(value ? 'true' : 'false', 'latin1'), '!');
    case 'object':
      break;
    default:
      throw new TypeError(`Expected a tnetstring value, got ${describe(value)}`);
  }
  if (value === null) return Buffer.from('0:~', 'latin1');
  if (value instanceof Uint8Array) return frame(Buffer.from(value), ',');
  if (depth >= MAX_DEPTH) throw new RangeError(`Expected nesting at most ${MAX_DEPTH} deep, got deeper (or a cycle)`);
  if (Array.isArray(value)) {
    const items: Buffer[] = [];
    // An index loop, so holes in a sparse array reach encodeValue as undefined and are refused.
    for (let k = 0; k < value.length; k++) items.push(encodeValue(value[k], depth + 1));
    return frame(Buffer.concat(items), ']');
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`Expected a plain object, got ${describe(value)}`);
  const parts: Buffer[] = [];
  for (const [key, item] of Object.entries(value)) {
    parts.push(encodeValue(key, depth + 1), encodeValue(item, depth + 1));
  }
  return frame(Buffer.concat(parts), '}');
}
