/**
 * The server's side of the WebSocket opening handshake (RFC 6455 4.2): whether an upgrade
 * request is one, and the 101 answer that accepts it. No subprotocol or extension is offered.
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

/** What is wrong with `req` as an opening handshake, or undefined when it is one. */
export function handshakeRefusal(req: IncomingMessage): HandshakeRefusal | undefined {
  if (req.method !== 'GET') return { status: '405 Method Not Allowed', text: 'A WebSocket handshake is a GET.\n', headers: { allow: 'GET' } };
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return { status: '400 Bad Request', text: 'Upgrade must be websocket.\n' };
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY.test(key)) return { status: '400 Bad Request', text: 'Missing or invalid Sec-WebSocket-Key.\n' };
  if (req.headers['sec-websocket-version'] !== '13') {
    return { status: '426 Upgrade Required', text: 'Only WebSocket version 13 is spoken here.\n', headers: { 'sec-websocket-version': '13' } };
  }
  return undefined;
}

/** The 101 answer accepting the handshake whose key is `key`. */
export function handshakeAccept(key: string): string {
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}
