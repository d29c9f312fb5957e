/** Z85 and the zcert text: the RFC 32 test vector, and keys holding '#' read whole. */
import { describe, expect, it } from 'vitest';
import { curveKeyPair } from 'zeromq';
import { parseCert } from '../common/curve-cert.js';
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
});
