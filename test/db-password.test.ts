import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT_COST, hashPassword, sameSecret, verifyPassword, type ScryptCost } from '../db/password.js';

const CHEAP: ScryptCost = { N: 16, r: 1, p: 1 };
const PASSWORD = 'correct horse battery staple';

describe('hashPassword', () => {
  it('writes a self-describing string without the password in it', async () => {
    const stored = await hashPassword(PASSWORD, CHEAP);
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16', '1', '1']);
    expect(Buffer.from(parts[4] ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5] ?? '', 'base64')).toHaveLength(32);
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(Buffer.from(PASSWORD).toString('base64'));
  });

  it('salts every hash differently', async () => {
    const a = await hashPassword(PASSWORD, CHEAP);
    const b = await hashPassword(PASSWORD, CHEAP);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(PASSWORD, b)).toBe(true);
  });

  it('works at the default cost', async () => {
    expect(DEFAULT_SCRYPT_COST).toEqual({ N: 16384, r: 8, p: 1 });
    const stored = await hashPassword(PASSWORD);
    expect(stored.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
  });

  it('rejects bad arguments', async () => {
    await expect(hashPassword(42 as unknown as string, CHEAP)).rejects.toThrow(TypeError);
    await expect(hashPassword(PASSWORD, { N: 15, r: 1, p: 1 })).rejects.toThrow(/Expected N to be a power of two/);
    await expect(hashPassword(PASSWORD, { N: 16, r: 0, p: 1 })).rejects.toThrow(RangeError);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses others', async () => {
    const stored = await hashPassword(PASSWORD, CHEAP);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('handles an empty and a non-ASCII password', async () => {
    expect(await verifyPassword('', await hashPassword('', CHEAP))).toBe(true);
    const stored = await hashPassword('pässwörd ✓', CHEAP);
    expect(await verifyPassword('pässwörd ✓', stored)).toBe(true);
    expect(await verifyPassword('passwword ✓', stored)).toBe(false);
  });

  it('returns false for tampered stored strings', async () => {
    const stored = await hashPassword(PASSWORD, CHEAP);
    const [scheme, n, r, p, salt = '', hash = ''] = stored.split('$');
    const flip = (text: string): string => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    const tampered = [
      [scheme, n, r, p, flip(salt), hash],
      [scheme, n, r, p, salt, flip(hash)],
      [scheme, '32', r, p, salt, hash],
      [scheme, n, '2', p, salt, hash],
      [scheme, n, r, '2', salt, hash],
      ['bcrypt', n, r, p, salt, hash],
    ];
    for (const parts of tampered) expect(await verifyPassword(PASSWORD, parts.join('$'))).toBe(false);
  });

  it('returns false for malformed stored strings without throwing', async () => {
    const stored = await hashPassword(PASSWORD, CHEAP);
    const [scheme, n, r, p, salt = '', hash = ''] = stored.split('$');
    const malformed = [
      '',
      'scrypt',
      PASSWORD,
      stored.slice(0, -4),
      `${stored}$extra`,
      [scheme, '15', r, p, salt, hash].join('$'),
      [scheme, '0', r, p, salt, hash].join('$'),
      [scheme, '-16', r, p, salt, hash].join('$'),
      [scheme, '1048576', '1024', p, salt, hash].join('$'),
      [scheme, n, r, '99999', salt, hash].join('$'),
      [scheme, n, r, p, '', hash].join('$'),
      [scheme, n, r, p, salt, 'not*base64!'].join('$'),
      [scheme, n, r, p, salt, 'AAAA'].join('$'),
      [scheme, n, r, p, salt, hash.slice(0, 24)].join('$'),
      [scheme, n, r, p, 'AAAA', hash].join('$'),
      null as unknown as string,
    ];
    for (const text of malformed) expect(await verifyPassword(PASSWORD, text)).toBe(false);
  });
});

describe('sameSecret', () => {
  it('tells the same secret from another, of any length and in any script', () => {
    expect(sameSecret('first-pass', 'first-pass')).toBe(true);
    expect(sameSecret('first-pass', 'first-pasS')).toBe(false);
    expect(sameSecret('first-pass', 'first-pass-and-more')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
    expect(sameSecret('pässwörd', 'pässwörd')).toBe(true);
    expect(sameSecret('pässwörd', 'passwörd')).toBe(false);
  });
});
