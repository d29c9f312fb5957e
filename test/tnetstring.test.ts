import { describe, expect, it } from 'vitest';
import { BbsError } from '../common/errors.js';
import { encodeTnetstring, parseTnetstring, parseTnetstringPrefix, type TnetValue } from '../common/tnetstring.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

function expectBbs(fn: () => unknown, fragment: string): void {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(BbsError);
  expect((err as BbsError).code).toBe('BBS_ERR_TNETSTRING');
  expect((err as BbsError).message).toContain(fragment);
}

// A seeded PRNG, so the fuzz cases are the same on every run.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('tnetstring round trips', () => {
  const cases: [string, TnetValue, string][] = [
    ['empty string', '', '0:,'],
    ['ASCII string', 'hello', '5:hello,'],
    ['2-byte character', 'é', '2:é,'],
    ['3-byte characters', '日本', '6:日本,'],
    ['4-byte character', '😀', '4:😀,'],
    ['string holding tnetstring syntax', '3:a,]', '5:3:a,],'],
    ['zero', 0, '1:0#'],
    ['negative integer', -42, '3:-42#'],
    ['largest safe integer', Number.MAX_SAFE_INTEGER, '16:9007199254740991#'],
    ['bigint', 12345678901234567890n, '20:12345678901234567890#'],
    ['negative bigint', -98765432109876543210n, '21:-98765432109876543210#'],
    ['float', 1.5, '3:1.5^'],
    ['negative float', -0.25, '5:-0.25^'],
    ['small float', 1e-7, '4:1e-7^'],
    ['tiny float', 1.5e-300, '8:1.5e-300^'],
    ['true', true, '4:true!'],
    ['false', false, '5:false!'],
    ['null', null, '0:~'],
    ['empty list', [], '0:]'],
    ['empty dict', {}, '0:}'],
    ['list of mixed', [1, 'a', null, true], '18:1:1#1:a,0:~4:true!]'],
    ['dict keeps key order', { b: 1, a: 2 }, '16:1:b,1:1#1:a,1:2#}'],
    ['non-ASCII key and value', { 'ключ': 'значение' }, '31:8:ключ,16:значение,}'],
    ['nested', { a: [1, { b: [null, 'é'] }] }, '31:1:a,23:1:1#15:1:b,8:0:~2:é,]}]}'],
  ];
  it.each(cases)('%s encodes to the exact bytes and parses back', (_name, value, wire) => {
    const encoded = encodeTnetstring(value);
    expect(encoded.toString('utf8')).toBe(wire);
    expect(parseTnetstring(encoded)).toEqual(value);
  });

  it('encodes a Buffer as raw string bytes and returns Buffers when asked for bytes', () => {
    const raw = Buffer.from([0xff, 0x00, 0x3a, 0x2c]);
    const encoded = encodeTnetstring({ k: raw, l: [raw] });
    expect(encoded.subarray(0, 14).toString('latin1')).toBe('25:1:k,4:\xff\x00:,,');
    const parsed = parseTnetstring(encoded, { bytes: true }) as { k: Buffer; l: Buffer[] };
    expect(Object.keys(parsed)).toEqual(['k', 'l']);
    expect(Buffer.isBuffer(parsed.k) && parsed.k.equals(raw)).toBe(true);
    expect(parsed.l[0]?.equals(raw)).toBe(true);
    expectBbs(() => parseTnetstring(encoded), 'string at offset 9 is not valid UTF-8');
  });

  it('keeps a leading byte order mark in a string', () => {
    expect(parseTnetstring(Buffer.from('5:\ufeffab,'))).toBe('\ufeffab');
  });

  it('decodes integers beyond the safe range as bigint and spells out large numbers', () => {
    expect(parseTnetstring(Buffer.from('16:9007199254740993#'))).toBe(9007199254740993n);
    expect(parseTnetstring(Buffer.from('17:-9007199254740991#'))).toBe(-9007199254740991);
    expect(encodeTnetstring(1e21).toString()).toBe('22:1000000000000000000000#');
    expect(encodeTnetstring(-0).toString()).toBe('1:0#');
    // Number.isInteger(1.5e300) is true, so it travels as an integer and comes back as a bigint.
    expect(encodeTnetstring(1.5e300).toString('latin1', 0, 6)).toBe('301:15');
    expect(parseTnetstring(encodeTnetstring(1.5e300))).toBe(BigInt(1.5e300));
    expect(parseTnetstring(Buffer.from('3:007#'))).toBe(7);
  });

  it('keeps a __proto__ key as data', () => {
    const parsed = parseTnetstring(Buffer.from('16:9:__proto__,1:1#}')) as Record<string, TnetValue>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(encodeTnetstring(parsed).toString()).toBe('16:9:__proto__,1:1#}');
  });

  it('parses one value at an offset and reports where it ends', () => {
    const buf = Buffer.from('xx5:héé,0:~');
    expect(parseTnetstringPrefix(buf, 2)).toEqual({ value: 'héé', end: 10 });
    expect(parseTnetstringPrefix(buf, 10)).toEqual({ value: null, end: 13 });
    expect(parseTnetstringPrefix(Buffer.from('1:a,2:bb,'))).toEqual({ value: 'a', end: 4 });
  });

  it('accepts 64 levels of nesting and refuses 65, both ways', () => {
    let wire = '0:]';
    let value: TnetValue = [];
    for (let i = 1; i < 64; i++) {
      wire = `${Buffer.byteLength(wire)}:${wire}]`;
      value = [value];
    }
    expect(parseTnetstring(Buffer.from(wire))).toEqual(value);
    expect(encodeTnetstring(value).toString()).toBe(wire);
    expectBbs(() => parseTnetstring(Buffer.from(`${wire.length}:${wire}]`)), 'nesting deeper than 64 at offset 228');
    expect(() => encodeTnetstring([value])).toThrow(RangeError);
  });

  it('refuses absurd nesting without overflowing the stack', () => {
    const depth = 100_000;
    const wire = Buffer.from('['.repeat(depth));
    expectBbs(() => parseTnetstring(wire), "length at offset 0 starts with '['");
    let nested = '0:]';
    for (let i = 0; i < 2000; i++) nested = `${nested.length}:${nested}]`;
    expectBbs(() => parseTnetstring(Buffer.from(nested)), 'nesting deeper than 64');
  });
});

describe('tnetstring encoding refuses what it cannot carry', () => {
  const cycle: Record<string, unknown> = {};
  cycle['self'] = cycle;
  const cases: [string, unknown, typeof TypeError | typeof RangeError, string][] = [
    ['NaN', NaN, TypeError, 'Expected a finite number, got NaN'],
    ['Infinity', Infinity, TypeError, 'Expected a finite number, got Infinity'],
    ['undefined', undefined, TypeError, 'got undefined'],
    ['undefined in a dict', { a: undefined }, TypeError, 'got undefined'],
    ['function', () => 1, TypeError, 'got function'],
    ['symbol', Symbol('x'), TypeError, 'got symbol'],
    ['Date', new Date(0), TypeError, 'Expected a plain object, got Date'],
    ['Map', new Map(), TypeError, 'Expected a plain object, got Map'],
    ['hole in an array', [1, , 3], TypeError, 'got undefined'],
    ['lone surrogate', 'a\ud800b', TypeError, 'lone surrogate'],
    ['cycle', cycle, RangeError, 'at most 64 deep'],
  ];
  it.each(cases)('%s', (_name, value, type, fragment) => {
    expect(() => encodeTnetstring(value as TnetValue)).toThrow(type);
    expect(() => encodeTnetstring(value as TnetValue)).toThrow(fragment);
  });
});

describe('tnetstring parsing refuses malformed input', () => {
  const cases: [string, string, string][] = [
    ['empty input', '', 'missing length at offset 0'],
    ['missing colon', '5hello,', "non-digit 'h' in length at offset 1"],
    ['missing colon at the end', '12', "missing ':' after length at offset 0"],
    ['non-digit length', 'x:', "length at offset 0 starts with 'x', not a digit"],
    ['empty length', ':,', "empty length before ':' at offset 0"],
    ['leading zero', '05:hello,', 'length at offset 0 has a leading zero'],
    ['overlong length', '1234567890:', 'length at offset 0 is longer than 9 digits'],
    ['length past the end', '10:hello,', 'length 10 at offset 0 runs past the end of the buffer (9 bytes)'],
    ['inner length past its container', '6:9:abc,]', 'length 9 at offset 2 runs past the end of its container at offset 8'],
    ['missing type byte', '5:hello', 'missing type byte after the 5-byte payload at offset 7'],
    ['unknown type byte', '5:hello?', "unknown type byte '?' at offset 7"],
    ['unknown control type byte', '0:\n', 'unknown type byte 0x0a at offset 2'],
    ['integer with a dot', '3:1.5#', 'integer at offset 0 has a bad payload "1.5"'],
    ['integer with a plus', '2:+1#', 'integer at offset 0 has a bad payload "+1"'],
    ['empty integer', '0:#', 'integer at offset 0 has a bad payload ""'],
    ['integer with spaces', '3: 1 #', 'integer at offset 0 has a bad payload'],
    ['huge integer', `4301:${'9'.repeat(4301)}#`, 'more than 4300 digits'],
    ['float word', '3:abc^', 'float at offset 0 has a bad payload "abc"'],
    ['float NaN', '3:NaN^', 'float at offset 0 has a bad payload "NaN"'],
    ['float out of range', '5:1e999^', 'float at offset 0 is out of range'],
    ['bad boolean', '3:yes!', 'boolean at offset 0 is "yes", expected "true" or "false"'],
    ['capitalised boolean', '4:True!', 'boolean at offset 0 is "True"'],
    ['null with a payload', '1:x~', 'null at offset 0 has a 1-byte payload, expected 0'],
    ['odd dict', '4:1:a,}', 'dict at offset 0 has an odd element: key at offset 2 has no value'],
    ['integer dict key', '8:1:1#1:a,}', "dict key at offset 2 is of type '#', not a string"],
    ['duplicate dict key', '16:1:a,1:1#1:a,1:2#}', 'duplicate dict key "a" at offset 11'],
    ['bad list element', '4:1:a#]', 'integer at offset 2 has a bad payload "a"'],
    ['trailing data', '5:hello,x', '1 bytes of trailing data after the value at offset 8'],
    ['two values', '0:~0:~', '3 bytes of trailing data after the value at offset 3'],
  ];
  it.each(cases)('%s', (_name, input, fragment) => {
    expectBbs(() => parseTnetstring(Buffer.from(input, 'latin1')), fragment);
  });

  it('refuses bad arguments with TypeError and RangeError', () => {
    expect(() => parseTnetstring('0:~' as unknown as Buffer)).toThrow('Expected a Buffer, got string');
    expect(() => parseTnetstringPrefix(Buffer.from('0:~'), 4)).toThrow(RangeError);
    expect(() => parseTnetstringPrefix(Buffer.from('0:~'), -1)).toThrow('Expected an offset from 0 to 3, got -1');
    expectBbs(() => parseTnetstringPrefix(Buffer.from('0:~'), 3), 'missing length at offset 3');
  });
});

describe('tnetstring fuzz', () => {
  const seeds: TnetValue[] = [
    { name: 'Zéd', n: -12, big: 2n ** 70n, f: 0.125, ok: true, no: false, nil: null, list: [[], {}, ['日本']] },
    [1, [2, [3, [4, { deep: 'x' }]]]],
    'plain',
  ];
  it('random truncations, byte flips and splices throw nothing but BbsError', () => {
    const random = mulberry32(20100421);
    const alphabet = Buffer.from('0123456789:,#^!~}]-.e ');
    let parsedOk = 0;
    for (const seed of seeds) {
      const valid = encodeTnetstring(seed);
      for (let round = 0; round < 3000; round++) {
        let buf = Buffer.from(valid);
        const edits = 1 + Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(random() * (buf.length + 1));
          const byte = random() < 0.7 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
          const kind = random();
          if (kind < 0.25) buf = buf.subarray(0, at);
          else if (kind < 0.6 && at < buf.length) buf[at] = byte;
          else if (kind < 0.8) buf = Buffer.concat([buf.subarray(0, at), Buffer.from([byte]), buf.subarray(at)]);
          else buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1)]);
        }
        for (const bytes of [false, true]) {
          try {
            parseTnetstring(buf, { bytes });
            parsedOk++;
          } catch (err) {
            if (!(err instanceof BbsError) || err.code !== 'BBS_ERR_TNETSTRING') {
              throw new Error(`input ${JSON.stringify(buf.toString('latin1'))} threw ${String(err)}`);
            }
          }
        }
      }
    }
    // Some mutations (a digit flipped inside a payload) stay valid; most do not.
    expect(parsedOk).toBeGreaterThan(0);
    expect(parsedOk).toBeLessThan(seeds.length * 3000 * 2);
  });
});
