/** Z85 and the zcert text: the RFC 32 test vector, keys holding '#' read whole, and a key pair never written over an existing one. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { curveKeyPair } from 'zeromq';
import { parseCert, writeKeyPair } from '../common/curve-cert.js';
import { BbsError } from '../common/errors.js';
import { isZ85Key, z85Encode } from '../common/curve-z85.js';

describe('Z85 and zcert files', () => {
  it('encodes the RFC 32 test vector, and refuses a length that is not a multiple of 4', () => {
    expect(z85Encode(Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]))).toBe('HelloWorld');
    expect(() => z85Encode(Uint8Array.from([1, 2, 3]))).toThrow(RangeError);
    expect(isZ85Key(curveKeyPair().publicKey)).toBe(true);
    expect(isZ85Key('short')).toBe(false);
  });

  it("reads keys that hold '#' (a Z85 character, not a comment there), with comments and an inline comment around them", () => {
    const publicKey = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
    const secretKey = 'JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6';
    const withHash = `${publicKey.slice(0, 39)}#`;
    const text = `#   ZeroMQ CURVE **Secret** Certificate\n\nmetadata\n    name = "x"\ncurve\n    public-key = "${withHash}"   # the public half\n    secret-key = "${secretKey}"\n`;
    expect(parseCert(text)).toEqual({ publicKey: withHash, secretKey });
    expect(parseCert('metadata\n    public-key = "not in the curve section"\n')).toEqual({});
  });

  it('writes NAME.key 0600 and NAME.pub, and refuses to write them again with BBS_ERR_KEY_EXISTS, leaving both as they were', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-cert-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const made = writeKeyPair(dir, 'proxy');
    expect(statSync(made.secretFile).mode & 0o777).toBe(0o600);
    const before = [readFileSync(made.secretFile, 'utf8'), readFileSync(made.publicFile, 'utf8')];
    let thrown: unknown;
    try {
      writeKeyPair(dir, 'proxy');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BbsError);
    expect(thrown).toMatchObject({ code: 'BBS_ERR_KEY_EXISTS', message: `${made.secretFile} already exists; m2bbs keys never overwrites a key` });
    expect([readFileSync(made.secretFile, 'utf8'), readFileSync(made.publicFile, 'utf8')]).toEqual(before);
  });
});
