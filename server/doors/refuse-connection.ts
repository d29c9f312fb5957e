/**
 * Turning a connection away before any backend is dialled, with the reason in the form its door
 * speaks: a line of text on telnet, an `exit` reply on a JSON socket, a 503 (or 408) over HTTP.
 */
import { encodeBbsMessage } from '../../common/bbs-messages.js';
import type { Socket } from 'node:net';

/** How long a refused or timed-out connection may take to read its goodbye before it is cut. */
export const GOODBYE_LINGER_MS = 2000;

/**
 * How long a caller the BBS hung up on (telnet, JSON socket) keeps its connection after the
 * proxy's side is ended, to read the goodbye: a client that never closes its own side is then
 * cut, so it holds no socket, nor a place under the caps, for ever.
 */
export const HANG_UP_LINGER_MS = 3000;

/** Refused connections told why at once, at most; past it a refused connection is cut without a word. */
export const MAX_REFUSING = 1000;

/**
 * Counts the refused connections still being told why, so that a flood past the caps cannot
 * hold more than MAX_REFUSING sockets for the seconds each goodbye may take.
 */
export class Refusals {
  private told = 0;
  private readonly closed = (): void => void this.told--;

  /** Runs `tell` on `socket` (which says why and closes it), or cuts it when too many are being told. */
  refuse(socket: Socket, tell: (socket: Socket) => void): void {
    if (this.told >= MAX_REFUSING) return void socket.destroy();
    this.told++;
    socket.once('close', this.closed);
    tell(socket);
  }
}

/** Says `message` to a telnet caller and closes the line. */
export function refuseTelnet(socket: Socket, message: string): void {
  socket.on('error', ignore);
  socket.end(`\r\n${message}\r\n`);
  setTimeout(destroy, GOODBYE_LINGER_MS, socket).unref();
}

/**
 * Says `message` on the front port, where the door is known only from the first byte (`@`: a
 * JSON socket; anything else: HTTP, the page and its WebSocket), waiting at most `waitMs` for it.
 */
export function refuseFront(socket: Socket, message: string, waitMs: number, retryAfterSeconds = 60): void {
  socket.on('error', ignore);
  const timer = setTimeout(destroy, waitMs, socket).unref();
  socket.once('data', (first: Buffer) => {
    clearTimeout(timer);
    socket.end(first[0] === 0x40 ? exitFrame(message) : httpText(503, 'Service Unavailable', message, { 'retry-after': String(retryAfterSeconds) }));
    setTimeout(destroy, GOODBYE_LINGER_MS, socket).unref();
  });
}

/** An `exit` reply as the JSON-socket door frames it: every JSON-socket client shows it and stops. */
export function exitFrame(message: string): string {
  return `${Buffer.from(encodeBbsMessage({ type: 'exit', msg: message })).toString('base64')}\0`;
}

/** A whole plain-text HTTP response that closes the connection. */
export function httpText(status: number, reason: string, text: string, headers: Readonly<Record<string, string>> = {}): string {
  const body = `${text}\n`;
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n${extra}Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function destroy(socket: Socket): void {
  socket.destroy();
}

function ignore(): void {}
