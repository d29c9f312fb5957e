import { BbsError, type ErrorCode } from './errors.js';
import { encodeTnetstring, parseTnetstringPrefix, type TnetValue } from './tnetstring.js';

/** How a request's headers are encoded: a JSON object netstring or a tnetstring dict. */
export type HeaderFormat = 'json' | 'tnetstring';

/** One parsed request frame from the server to a handler. */
export interface Mongrel2Request {
  readonly uuid: string;
  readonly connId: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly headerFormat: HeaderFormat;
  readonly body: Buffer;
}

/** One parsed reply frame from a handler to the server; an empty body means close. */
export interface Mongrel2Reply {
  readonly uuid: string;
  readonly connIds: readonly string[];
  readonly extended: boolean;
  readonly body: Buffer;
}

/** The path the server uses for its disconnect notices. */
export const DISCONNECT_PATH = '@*';

const MAX_CONN_IDS = 128;
const SPACE = 0x20;
const COMMA = 0x2c;
const DECIMAL_RE = /^(0|[1-9][0-9]*)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses `UUID SP CONN_ID SP PATH SP HLEN:HEADERS,BLEN:BODY,`, throwing BbsError on anything malformed. */
export function parseRequest(frame: Buffer): Mongrel2Request {
  if (!Buffer.isBuffer(frame)) throw new TypeError(`Expected a Buffer, got ${describe(frame)}`);
  const bad = (message: string): BbsError => new BbsError('BBS_ERR_REQUEST_FRAME', message);
  const uuidEnd = tokenEnd(frame, 0, 'uuid', 'BBS_ERR_REQUEST_FRAME');
  const uuid = decode(frame, 0, uuidEnd, 'uuid', 'BBS_ERR_REQUEST_FRAME');
  const connEnd = tokenEnd(frame, uuidEnd + 1, 'connection id', 'BBS_ERR_REQUEST_FRAME');
  const connId = frame.toString('latin1', uuidEnd + 1, connEnd);
  if (!DECIMAL_RE.test(connId)) throw bad(`connection id is not a decimal number: ${quote(connId)}`);
  const pathEnd = tokenEnd(frame, connEnd + 1, 'path', 'BBS_ERR_REQUEST_FRAME');
  const path = decode(frame, connEnd + 1, pathEnd, 'path', 'BBS_ERR_REQUEST_FRAME');

  const head = readLength(frame, pathEnd + 1, 'header', 'BBS_ERR_REQUEST_FRAME');
  const headEnd = head.start + head.length;
  if (headEnd >= frame.length) throw bad(`header netstring has no terminator: the frame ends at byte ${frame.length}`);
  let headers: Record<string, unknown>;
  let headerFormat: HeaderFormat;
  if (frame[headEnd] === COMMA) {
    headerFormat = 'json';
    let parsed: unknown;
    try {
      parsed = JSON.parse(decode(frame, head.start, headEnd, 'JSON headers', 'BBS_ERR_REQUEST_FRAME'));
    } catch (err) {
      if (err instanceof BbsError) throw err;
      throw new BbsError('BBS_ERR_REQUEST_FRAME', `JSON headers do not parse: ${(err as Error).message}`, { cause: err });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw bad(`JSON headers are not an object: got ${describe(parsed)}`);
    }
    headers = parsed as Record<string, unknown>;
  } else if (frame[headEnd] === 0x7d) {
    headerFormat = 'tnetstring';
    try {
      headers = parseTnetstringPrefix(frame, pathEnd + 1).value as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof BbsError)) throw err;
      throw new BbsError('BBS_ERR_REQUEST_FRAME', `tnetstring headers: ${err.message}`, { cause: err });
    }
  } else {
    throw bad(`header netstring ends with ${showByte(frame[headEnd]!)}, expected ',' or '}'`);
  }
  // Mongrel2 writes "%d:%s,%d:" (request.c): no space between the header and body netstrings.
  const body = readLength(frame, headEnd + 1, 'body', 'BBS_ERR_REQUEST_FRAME');
  const bodyEnd = body.start + body.length;
  if (bodyEnd >= frame.length) throw bad(`body netstring does not end with ',': the frame ends at byte ${frame.length}`);
  if (frame[bodyEnd] !== COMMA) throw bad(`body netstring does not end with ',': found ${showByte(frame[bodyEnd]!)}`);
  if (bodyEnd + 1 !== frame.length) throw bad(`${frame.length - bodyEnd - 1} bytes of trailing data after the body`);
  return { uuid, connId, path, headers, headerFormat, body: Buffer.from(frame.subarray(body.start, bodyEnd)) };
}

/** Builds a request frame; JSON headers are compact and keep their key order. */
export function encodeRequest(request: {
  uuid: string;
  connId: string;
  path: string;
  headers: Readonly<Record<string, unknown>>;
  body: Buffer | string;
  headerFormat?: HeaderFormat;
}): Buffer {
  const { uuid, connId, path, headers, body } = request;
  const format = request.headerFormat ?? 'json';
  checkToken(uuid, 'uuid');
  checkConnId(connId);
  checkToken(path, 'path');
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Buffer.isBuffer(headers)) {
    throw new TypeError(`Expected a headers object, got ${describe(headers)}`);
  }
  const payload = checkBody(body);
  if (format === 'json') {
    // One allocation for the whole frame: requests are the proxy's busiest output.
    const json = JSON.stringify(headers);
    return frameOf(`${uuid} ${connId} ${path} ${Buffer.byteLength(json)}:${json},${byteLength(payload)}:`, payload, ',');
  }
  if (format !== 'tnetstring') throw new TypeError(`Expected headerFormat 'json' or 'tnetstring', got ${describe(format)}`);
  const head = encodeTnetstring(headers as TnetValue);
  return Buffer.concat([Buffer.from(`${uuid} ${connId} ${path} `, 'utf8'), head, Buffer.from(`${byteLength(payload)}:`), toBuffer(payload), Buffer.from(',')]);
}

// `prefix` (UTF-8), then `payload`, then `suffix` (ASCII), in one buffer.
function frameOf(prefix: string, payload: Buffer | string, suffix: string): Buffer {
  const prefixLength = Buffer.byteLength(prefix);
  const payloadLength = byteLength(payload);
  const frame = Buffer.allocUnsafe(prefixLength + payloadLength + suffix.length);
  frame.write(prefix, 0, 'utf8');
  if (typeof payload === 'string') frame.write(payload, prefixLength, 'utf8');
  else payload.copy(frame, prefixLength);
  if (suffix !== '') frame.write(suffix, prefixLength + payloadLength, 'latin1');
  return frame;
}

/** Builds the frame the server sends when a client goes away. */
export function encodeDisconnect(uuid: string, connId: string, options: { readonly detach?: boolean } = {}): Buffer {
  // DETACH (m2bbs's own, ignored by other handlers): the call goes on on another connection, so
  // this connection ends but the conversation does not.
  const headers = options.detach === true ? { METHOD: 'JSON', DETACH: '1' } : { METHOD: 'JSON' };
  return encodeRequest({ uuid, connId, path: DISCONNECT_PATH, headers, body: '{"type":"disconnect"}' });
}

/** True when a request is the server's notice that its client has gone away. */
export function isDisconnect(request: Mongrel2Request): boolean {
  if (request.path !== DISCONNECT_PATH) return false;
  try {
    const body: unknown = JSON.parse(request.body.toString('utf8'));
    return typeof body === 'object' && body !== null && (body as Record<string, unknown>)['type'] === 'disconnect';
  } catch {
    return false;
  }
}

/** Builds `UUID SP LEN:ID ID..., SP BODY` for 1 to 128 decimal connection ids. */
export function encodeReply(uuid: string, connIds: readonly string[], body: Buffer | string): Buffer {
  checkToken(uuid, 'uuid');
  if (!Array.isArray(connIds)) throw new TypeError(`Expected an array of connection ids, got ${describe(connIds)}`);
  if (connIds.length < 1 || connIds.length > MAX_CONN_IDS) {
    throw new RangeError(`Expected 1 to ${MAX_CONN_IDS} connection ids, got ${connIds.length}`);
  }
  for (const id of connIds) checkConnId(id);
  const ids = connIds.join(' ');
  return frameOf(`${uuid} ${ids.length}:${ids}, `, checkBody(body), '');
}

/**
 * The uuid of a backend's notices to its m2bbs proxy. A real Mongrel2 subscribes to its own uuid
 * only, so it never receives them; the m2bbs proxy subscribes to everything.
 */
export const BACKEND_NOTICE_UUID = 'm2bbs-backend';

/**
 * What a backend tells its m2bbs proxy about itself (not about one caller): it is draining; or,
 * last of all before it goes, it has drained (every reply it had for its callers went before this
 * notice, on the same socket, so the proxy acts on its going only after those).
 */
export type BackendNotice = { readonly type: 'draining'; readonly callers: number } | { readonly type: 'drained' };

/**
 * Builds a backend notice: an extended reply (`X`) to connection 0, which no caller ever has
 * (the proxy numbers its connections from 1), with the notice as a JSON body.
 */
export function encodeBackendNotice(notice: BackendNotice): Buffer {
  return frameOf(`${BACKEND_NOTICE_UUID} 3:X 0, `, JSON.stringify(notice), '');
}

/** The notice `reply` carries, when it is a backend notice (see encodeBackendNotice); undefined otherwise (never throws). */
export function backendNoticeOf(reply: Mongrel2Reply): BackendNotice | undefined {
  if (!reply.extended || reply.connIds.length !== 1 || reply.connIds[0] !== '0') return undefined;
  try {
    const body = JSON.parse(reply.body.toString('utf8')) as { type?: unknown; callers?: unknown };
    if (body.type === 'draining') return { type: 'draining', callers: typeof body.callers === 'number' && Number.isSafeInteger(body.callers) && body.callers >= 0 ? body.callers : 0 };
    if (body.type === 'drained') return { type: 'drained' };
  } catch {
    // Not a notice this proxy knows: ignored, like any extended reply.
  }
  return undefined;
}

/** Builds the empty-body reply that closes the connections once their queues are flushed. */
export function encodeClose(uuid: string, connIds: readonly string[]): Buffer {
  return encodeReply(uuid, connIds, Buffer.alloc(0));
}

/** Parses a reply frame, throwing BbsError on anything malformed. */
export function parseReply(frame: Buffer): Mongrel2Reply {
  if (!Buffer.isBuffer(frame)) throw new TypeError(`Expected a Buffer, got ${describe(frame)}`);
  const bad = (message: string): BbsError => new BbsError('BBS_ERR_REPLY_FRAME', message);
  const uuidEnd = tokenEnd(frame, 0, 'uuid', 'BBS_ERR_REPLY_FRAME');
  const uuid = decode(frame, 0, uuidEnd, 'uuid', 'BBS_ERR_REPLY_FRAME');
  const ids = readLength(frame, uuidEnd + 1, 'connection id list', 'BBS_ERR_REPLY_FRAME');
  const idsEnd = ids.start + ids.length;
  if (idsEnd >= frame.length) throw bad(`connection id netstring does not end with ',': the frame ends at byte ${frame.length}`);
  if (frame[idsEnd] !== COMMA) throw bad(`connection id netstring does not end with ',': found ${showByte(frame[idsEnd]!)}`);
  if (frame[idsEnd + 1] !== SPACE) throw bad(`missing space before the body at offset ${idsEnd + 1}`);
  const tokens = frame.toString('latin1', ids.start, idsEnd).split(' ');
  // Mongrel2's grammar (digit+ ' '?) accepts one trailing space after the last id.
  if (tokens.length > 1 && tokens[tokens.length - 1] === '') tokens.pop();
  const extended = tokens[0] === 'X';
  if (extended) tokens.shift();
  if (tokens.length === 0 || (tokens.length === 1 && tokens[0] === '')) throw bad('no connection ids');
  if (tokens.length > MAX_CONN_IDS) throw bad(`more than ${MAX_CONN_IDS} connection ids (${tokens.length})`);
  for (const id of tokens) {
    if (!DECIMAL_RE.test(id)) throw bad(`connection id is not a decimal number: ${quote(id)}`);
  }
  return { uuid, connIds: tokens, extended, body: Buffer.from(frame.subarray(idsEnd + 2)) };
}

function tokenEnd(frame: Buffer, start: number, what: string, code: ErrorCode): number {
  const end = frame.indexOf(SPACE, start);
  if (end < 0) throw new BbsError(code, `missing space after the ${what}`);
  if (end === start) throw new BbsError(code, `${what} is empty at offset ${start}`);
  return end;
}

function decode(frame: Buffer, start: number, end: number, what: string, code: ErrorCode): string {
  try {
    return utf8.decode(frame.subarray(start, end));
  } catch {
    throw new BbsError(code, `${what} at offset ${start} is not valid UTF-8`);
  }
}

function readLength(frame: Buffer, offset: number, what: string, code: ErrorCode): { length: number; start: number } {
  let i = offset;
  while (i < frame.length && i - offset <= 9 && frame[i]! >= 0x30 && frame[i]! <= 0x39) i++;
  const digits = i - offset;
  if (digits > 9) throw new BbsError(code, `${what} length at offset ${offset} is longer than 9 digits`);
  if (digits === 0) {
    const found = offset < frame.length ? showByte(frame[offset]!) : 'the end of the frame';
    throw new BbsError(code, `${what} length is missing at offset ${offset}: found ${found}`);
  }
  if (i >= frame.length || frame[i] !== 0x3a) throw new BbsError(code, `missing ':' after the ${what} length at offset ${offset}`);
  if (digits > 1 && frame[offset] === 0x30) throw new BbsError(code, `${what} length at offset ${offset} has a leading zero`);
  const length = Number(frame.toString('latin1', offset, i));
  if (i + 1 + length > frame.length) {
    throw new BbsError(code, `${what} length ${length} runs past the end of the frame (${frame.length} bytes)`);
  }
  return { length, start: i + 1 };
}

function checkToken(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value === '' || value.includes(' ')) {
    throw new TypeError(`Expected a non-empty ${what} without spaces, got ${describe(value)}`);
  }
}

function checkConnId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !DECIMAL_RE.test(value)) {
    throw new TypeError(`Expected a decimal connection id string, got ${describe(value)}`);
  }
}

function checkBody(body: unknown): Buffer | string {
  if (Buffer.isBuffer(body) || typeof body === 'string') return body;
  throw new TypeError(`Expected a Buffer or string body, got ${describe(body)}`);
}

function toBuffer(body: Buffer | string): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function byteLength(body: Buffer | string): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.length;
}

function showByte(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, '0')}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${quote(value)}`;
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  if (typeof value === 'number') return `number ${String(value)}`;
  return typeof value;
}
