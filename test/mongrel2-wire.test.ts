import { describe, expect, it } from 'vitest';
import { BbsError, type ErrorCode } from '../common/errors.js';
import {
  backendNoticeOf,
  DISCONNECT_PATH,
  encodeBackendNotice,
  encodeClose,
  encodeDisconnect,
  encodeReply,
  encodeRequest,
  isDisconnect,
  parseReply,
  parseRequest,
} from '../common/mongrel2-wire.js';

const UUID = '54c6755b-9628-40a4-9a2d-cc82a816345e';
// Byte for byte from the reference, as a real Mongrel2 1.13 sent it.
const REFERENCE_REQUEST =
  `${UUID} 3 @bbs 124:{"PATH":"@bbs","x-forwarded-for":"127.0.0.1","METHOD":"JSON","PATTERN":"@bbs",` +
  `"URL_SCHEME":"http","REMOTE_ADDR":"127.0.0.1"},30:{"type":"msg","msg":"connect"},`;
const REFERENCE_DISCONNECT = `${UUID} 3 @* 17:{"METHOD":"JSON"},21:{"type":"disconnect"},`;
const TNET_REQUEST = `${UUID} 7 @bbs 30:4:PATH,4:@bbs,6:METHOD,4:JSON,}2:{},`;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

function expectBbs(fn: () => unknown, code: ErrorCode, fragment: string): void {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(BbsError);
  expect((err as BbsError).code).toBe(code);
  expect((err as BbsError).message).toContain(fragment);
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('request frames', () => {
  it('parses the reference JSON-socket frame and re-encodes it byte for byte', () => {
    const frame = Buffer.from(REFERENCE_REQUEST);
    const request = parseRequest(frame);
    expect(request.uuid).toBe(UUID);
    expect(request.connId).toBe('3');
    expect(request.path).toBe('@bbs');
    expect(request.headerFormat).toBe('json');
    expect(request.headers).toEqual({
      PATH: '@bbs',
      'x-forwarded-for': '127.0.0.1',
      METHOD: 'JSON',
      PATTERN: '@bbs',
      URL_SCHEME: 'http',
      REMOTE_ADDR: '127.0.0.1',
    });
    expect(request.body.toString()).toBe('{"type":"msg","msg":"connect"}');
    expect(isDisconnect(request)).toBe(false);
    expect(encodeRequest(request).toString('latin1')).toBe(frame.toString('latin1'));
  });

  it('builds the reference disconnect frame exactly and recognises it', () => {
    expect(DISCONNECT_PATH).toBe('@*');
    const frame = encodeDisconnect(UUID, '3');
    expect(frame.toString('latin1')).toBe(REFERENCE_DISCONNECT);
    const request = parseRequest(Buffer.from(REFERENCE_DISCONNECT));
    expect(request).toMatchObject({ uuid: UUID, connId: '3', path: '@*', headers: { METHOD: 'JSON' } });
    expect(isDisconnect(request)).toBe(true);
    expect(encodeRequest(request).equals(frame)).toBe(true);
  });

  it('does not mistake other @* messages for a disconnect', () => {
    const other = parseRequest(encodeRequest({ uuid: UUID, connId: '3', path: '@*', headers: {}, body: '{"type":"msg"}' }));
    expect(isDisconnect(other)).toBe(false);
    const notJson = parseRequest(encodeRequest({ uuid: UUID, connId: '3', path: '@*', headers: {}, body: 'disconnect' }));
    expect(isDisconnect(notJson)).toBe(false);
    const elsewhere = parseRequest(encodeRequest({ uuid: UUID, connId: '3', path: '@bbs', headers: {}, body: '{"type":"disconnect"}' }));
    expect(isDisconnect(elsewhere)).toBe(false);
  });

  it('parses tnetstring headers (ending in }) and re-encodes them byte for byte', () => {
    const request = parseRequest(Buffer.from(TNET_REQUEST));
    expect(request).toMatchObject({ connId: '7', path: '@bbs', headerFormat: 'tnetstring', headers: { PATH: '@bbs', METHOD: 'JSON' } });
    expect(request.body.toString()).toBe('{}');
    expect(encodeRequest(request).toString('latin1')).toBe(TNET_REQUEST);
  });

  it('counts body and header lengths in bytes, not characters', () => {
    const body = '{"type":"msg","msg":"héllo wörld ✓"}'; // 36 characters, 40 bytes
    const frame = encodeRequest({ uuid: 'u', connId: '12', path: '@bbs.10', headers: { 'x-name': 'Zoë' }, body });
    expect(frame.toString('utf8')).toBe(`u 12 @bbs.10 17:{"x-name":"Zoë"},40:${body},`);
    const request = parseRequest(frame);
    expect(request.body.toString('utf8')).toBe(body);
    expect(request.headers).toEqual({ 'x-name': 'Zoë' });
    const tnet = encodeRequest({ uuid: 'u', connId: '12', path: '@bbs', headers: { 'x-name': 'Zoë' }, body, headerFormat: 'tnetstring' });
    expect(tnet.toString('utf8')).toBe(`u 12 @bbs 16:6:x-name,4:Zoë,}40:${body},`);
    expect(parseRequest(tnet).headers).toEqual({ 'x-name': 'Zoë' });
  });

  it('carries a binary body untouched', () => {
    const body = Buffer.from([0, 0xff, 0x2c, 0x20, 0x3a]);
    const request = parseRequest(encodeRequest({ uuid: 'u', connId: '0', path: '/', headers: {}, body }));
    expect(request.body.equals(body)).toBe(true);
  });

  const head = 'U 3 @bbs ';
  const pastEnd = `${head}124:{"PATH":"@bbs"}`.padEnd(90, 'x');
  const malformed: [string, string | Buffer, string][] = [
    ['empty frame', '', 'missing space after the uuid'],
    ['empty uuid', ' 3 @bbs 2:{},0:,', 'uuid is empty at offset 0'],
    ['letters in the connection id', 'U abc @bbs 2:{},0:,', 'connection id is not a decimal number: "abc"'],
    ['negative connection id', 'U -3 @bbs 2:{},0:,', 'connection id is not a decimal number: "-3"'],
    ['leading zero in the connection id', 'U 03 @bbs 2:{},0:,', 'connection id is not a decimal number: "03"'],
    ['nothing after the connection id', 'U 3', 'missing space after the connection id'],
    ['nothing after the path', 'U 3 @bbs', 'missing space after the path'],
    ['empty path', 'U 3  2:{},0:,', 'path is empty at offset 4'],
    ['header length past the end', pastEnd, 'header length 124 runs past the end of the frame (90 bytes)'],
    ['header length missing', `${head}x:{},0:,`, "header length is missing at offset 9: found 'x'"],
    ['header length colon missing', `${head}2{},0:,`, "missing ':' after the header length at offset 9"],
    ['header length leading zero', `${head}02:{},0:,`, 'header length at offset 9 has a leading zero'],
    ['header length overlong', `${head}0000000002:{},0:,`, 'header length at offset 9 is longer than 9 digits'],
    ['header netstring unterminated', `${head}2:{}`, 'header netstring has no terminator: the frame ends at byte 13'],
    ['header netstring wrong terminator', `${head}2:{}]0:,`, "header netstring ends with ']', expected ',' or '}'"],
    ['JSON headers an array', `${head}2:[],0:,`, 'JSON headers are not an object: got array'],
    ['JSON headers null', `${head}4:null,0:,`, 'JSON headers are not an object: got null'],
    ['JSON headers broken', `${head}2:{x,0:,`, 'JSON headers do not parse'],
    ['JSON headers not UTF-8', Buffer.concat([Buffer.from(`${head}3:"`), Buffer.from([0xff]), Buffer.from('",0:,')]), 'JSON headers at offset 11 is not valid UTF-8'],
    ['tnetstring headers bad key', `${head}8:1:1#1:a,}0:,`, "tnetstring headers: dict key at offset 11 is of type '#', not a string"],
    ['tnetstring headers odd', `${head}4:1:a,}0:,`, 'tnetstring headers: dict at offset 9 has an odd element'],
    ['a space after the headers', `${head}2:{}, 0:,`, 'body length is missing at offset 14: found 0x20'],
    ['frame ends after headers', `${head}2:{},`, 'body length is missing at offset 14: found the end of the frame'],
    ['body length missing', `${head}2:{},:,`, "body length is missing at offset 14: found ':'"],
    ['body length past the end', `${head}2:{},5:ab,`, 'body length 5 runs past the end of the frame (19 bytes)'],
    ['body unterminated', `${head}2:{},2:ab`, "body netstring does not end with ',': the frame ends at byte 18"],
    ['body wrong terminator', `${head}2:{},2:ab;`, "body netstring does not end with ',': found ';'"],
    ['body counted in characters', `${head}2:{},1:é,`, "body netstring does not end with ','"],
    ['trailing data', `${head}2:{},2:ab,x\0`, '2 bytes of trailing data after the body'],
  ];
  it.each(malformed)('refuses %s', (_name, frame, fragment) => {
    expectBbs(() => parseRequest(Buffer.isBuffer(frame) ? frame : Buffer.from(frame)), 'BBS_ERR_REQUEST_FRAME', fragment);
  });

  it('refuses bad arguments to encodeRequest with TypeError', () => {
    const ok = { uuid: 'u', connId: '1', path: '@bbs', headers: {}, body: '' };
    expect(() => encodeRequest({ ...ok, uuid: 'a b' })).toThrow('Expected a non-empty uuid without spaces, got string "a b"');
    expect(() => encodeRequest({ ...ok, uuid: '' })).toThrow(TypeError);
    expect(() => encodeRequest({ ...ok, path: '@b bs' })).toThrow('Expected a non-empty path without spaces');
    expect(() => encodeRequest({ ...ok, connId: 3 as unknown as string })).toThrow('Expected a decimal connection id string, got number 3');
    expect(() => encodeRequest({ ...ok, connId: '3a' })).toThrow(TypeError);
    expect(() => encodeRequest({ ...ok, headers: null as unknown as Record<string, unknown> })).toThrow('Expected a headers object, got null');
    expect(() => encodeRequest({ ...ok, body: 5 as unknown as string })).toThrow('Expected a Buffer or string body, got number 5');
    expect(() => encodeRequest({ ...ok, headerFormat: 'xml' as 'json' })).toThrow("Expected headerFormat 'json' or 'tnetstring'");
    expect(() => encodeRequest({ ...ok, headers: { a: undefined }, headerFormat: 'tnetstring' })).toThrow(TypeError);
    expect(() => parseRequest('frame' as unknown as Buffer)).toThrow('Expected a Buffer, got string');
  });
});

describe('reply frames', () => {
  const body = '{"type":"screen","msg":"Привет"}'; // 38 bytes
  it('builds and parses a reply to one id', () => {
    const frame = encodeReply(UUID, ['3'], body);
    expect(frame.toString('utf8')).toBe(`${UUID} 1:3, ${body}`);
    const reply = parseReply(frame);
    expect(reply).toMatchObject({ uuid: UUID, connIds: ['3'], extended: false });
    expect(reply.body.toString('utf8')).toBe(body);
    expect(encodeReply(reply.uuid, reply.connIds, reply.body).equals(frame)).toBe(true);
  });

  it('builds and parses a reply to several ids', () => {
    const frame = encodeReply(UUID, ['3', '10', '127'], Buffer.from(body));
    expect(frame.toString('utf8')).toBe(`${UUID} 8:3 10 127, ${body}`);
    expect(parseReply(frame).connIds).toEqual(['3', '10', '127']);
  });

  it('builds the close frame with its trailing space and reads it as an empty body', () => {
    const frame = encodeClose(UUID, ['8']);
    expect(frame.toString('latin1')).toBe(`${UUID} 1:8, `);
    const reply = parseReply(frame);
    expect(reply.connIds).toEqual(['8']);
    expect(reply.body.length).toBe(0);
  });

  it('reads an extended reply, with X not counted as an id', () => {
    const reply = parseReply(Buffer.from(`${UUID} 7:X 12 13, 12:3:ctl,2:{}]`));
    expect(reply).toMatchObject({ extended: true, connIds: ['12', '13'] });
    expect(reply.body.toString()).toBe('12:3:ctl,2:{}]');
  });

  it('accepts the one trailing space that Mongrel2 accepts after the last id', () => {
    expect(parseReply(Buffer.from('u 4:1 2 , x')).connIds).toEqual(['1', '2']);
  });

  it('allows 128 ids and no more', () => {
    const ids = Array.from({ length: 128 }, (_, i) => String(i + 1));
    expect(parseReply(encodeReply('u', ids, 'x')).connIds).toEqual(ids);
    expect(() => encodeReply('u', [...ids, '129'], 'x')).toThrow('Expected 1 to 128 connection ids, got 129');
    const text = [...ids, '129'].join(' ');
    expectBbs(() => parseReply(Buffer.from(`u ${text.length}:${text}, x`)), 'BBS_ERR_REPLY_FRAME', 'more than 128 connection ids (129)');
  });

  const malformed: [string, string, string][] = [
    ['no space at all', 'U', 'missing space after the uuid'],
    ['empty uuid', ' 1:3, x', 'uuid is empty at offset 0'],
    ['missing id length', 'U x:3, ', "connection id list length is missing at offset 2: found 'x'"],
    ['id length colon missing', 'U 13, ', "missing ':' after the connection id list length at offset 2"],
    ['id length past the end', 'U 9:3, ', 'connection id list length 9 runs past the end of the frame (7 bytes)'],
    ['ids unterminated', 'U 1:3', "connection id netstring does not end with ',': the frame ends at byte 5"],
    ['ids length too long by one', 'U 2:3, ', "connection id netstring does not end with ',': found 0x20"],
    ['missing space before the body', 'U 1:3,x', 'missing space before the body at offset 6'],
    ['frame ends before the space', 'U 1:3,', 'missing space before the body at offset 6'],
    ['letters in an id', 'U 3:3 a, x', 'connection id is not a decimal number: "a"'],
    ['leading zero in an id', 'U 2:03, x', 'connection id is not a decimal number: "03"'],
    ['two spaces between ids', 'U 4:1  2, x', 'connection id is not a decimal number: ""'],
    ['no ids', 'U 0:, x', 'no connection ids'],
    ['X and no ids', 'U 2:X , x', 'no connection ids'],
  ];
  it.each(malformed)('refuses %s', (_name, frame, fragment) => {
    expectBbs(() => parseReply(Buffer.from(frame)), 'BBS_ERR_REPLY_FRAME', fragment);
  });

  it('refuses bad arguments to encodeReply with TypeError and RangeError', () => {
    expect(() => encodeReply('a b', ['1'], '')).toThrow(TypeError);
    expect(() => encodeReply('u', [], '')).toThrow(RangeError);
    expect(() => encodeReply('u', [3 as unknown as string], '')).toThrow('Expected a decimal connection id string, got number 3');
    expect(() => encodeReply('u', ['X', '3'], '')).toThrow(TypeError);
    expect(() => encodeReply('u', '3' as unknown as string[], '')).toThrow('Expected an array of connection ids, got string "3"');
    expect(() => encodeClose('u', [])).toThrow(RangeError);
    expect(() => parseReply(null as unknown as Buffer)).toThrow('Expected a Buffer, got null');
  });
});

describe('wire fuzz', () => {
  const seeds = [
    REFERENCE_REQUEST,
    REFERENCE_DISCONNECT,
    TNET_REQUEST,
    `${UUID} 8:3 10 127, {"type":"screen","msg":"é"}`,
    `${UUID} 1:8, `,
    `${UUID} 7:X 12 13, 12:3:ctl,2:{}]`,
  ].map((text) => Buffer.from(text));
  it('random truncations and byte flips throw nothing but BbsError', () => {
    const random = mulberry32(1337);
    const alphabet = Buffer.from('0123456789: ,}]{X@"');
    const outcomes = { parsed: 0, refused: 0 };
    for (const valid of seeds) {
      for (let round = 0; round < 2000; round++) {
        let buf = Buffer.from(valid);
        const at = Math.floor(random() * buf.length);
        const byte = random() < 0.7 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
        const kind = random();
        if (kind < 0.3) buf = buf.subarray(0, at);
        else if (kind < 0.8) buf[at] = byte;
        else buf = Buffer.concat([buf.subarray(0, at), Buffer.from([byte]), buf.subarray(at)]);
        for (const parse of [parseRequest, parseReply]) {
          try {
            parse(buf);
            outcomes.parsed++;
          } catch (err) {
            if (!(err instanceof BbsError)) throw new Error(`${JSON.stringify(buf.toString('latin1'))} threw ${String(err)}`);
            outcomes.refused++;
          }
        }
      }
    }
    expect(outcomes.parsed).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(outcomes.parsed);
  });
});

describe('backend notices', () => {
  it('a draining notice parses back as an extended reply to connection 0 that names itself', () => {
    const reply = parseReply(encodeBackendNotice({ type: 'draining', callers: 3 }));
    expect(reply.extended).toBe(true);
    expect(reply.connIds).toEqual(['0']);
    expect(backendNoticeOf(reply)).toEqual({ type: 'draining', callers: 3 });
  });

  it('other extended replies and ordinary replies are not notices', () => {
    expect(backendNoticeOf(parseReply(Buffer.from('u 7:X 12 13, {"type":"draining"}')))).toBeUndefined();
    expect(backendNoticeOf(parseReply(encodeReply('u', ['0'], '{"type":"draining"}')))).toBeUndefined();
    expect(backendNoticeOf(parseReply(Buffer.from('u 3:X 0, not json')))).toBeUndefined();
  });
});
