/**
 * The server's side of the WebSocket opening handshake (RFC 6455 4.2): whether an upgrade
 * request is one, and the 101 answer that accepts it. No extension is accepted; of the
 * subprotocols a client offers, the first is taken (the page offers none).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A base64 nonce of 16 bytes. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Why an upgrade request is not a WebSocket handshake this server takes: an HTTP answer. */
export interface HandshakeRefusal {
  readonly status: string;
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A subprotocol name: an HTTP token (RFC 7230 3.2.6). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The 101 that accepts `req` as an opening handshake, or why it is not one. */
export function answerHandshake(req: IncomingMessage): { readonly accept: string } | { readonly refusal: HandshakeRefusal } {
  if (req.method !== 'GET') return { refusal: { status: '405 Method Not Allowed', text: 'A WebSocket handshake is a GET.\n', headers: { allow: 'GET' } } };
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return { refusal: { status: '400 Bad Request', text: 'Upgrade must be websocket.\n' } };
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) return { refusal: { status: '400 Bad Request', text: 'Missing or invalid Sec-WebSocket-Key.\n' } };
  if (req.headers['sec-websocket-version'] !== '13') {
    return { refusal: { status: '426 Upgrade Required', text: 'Only WebSocket version 13 is spoken here.\n', headers: { 'sec-websocket-version': '13' } } };
  }
  const offered = req.headers['sec-websocket-protocol'];
  const protocols = offered === undefined ? [] : offered.split(',').map((name) => name.trim());
  if (protocols.some((name) => !TOKEN.test(name))) return { refusal: { status: '400 Bad Request', text: 'Invalid Sec-WebSocket-Protocol.\n' } };
  const digest = createHash('sha1').update(key + GUID).digest('base64');
  // A client that offers subprotocols fails the handshake unless one is chosen: the first, as the ws library chose.
  const protocol = protocols.length === 0 ? '' : `Sec-WebSocket-Protocol: ${protocols[0]}\r\n`;
  return { accept: `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${digest}\r\n${protocol}\r\n` };
}
