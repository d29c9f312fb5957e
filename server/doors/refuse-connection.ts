/**
 * Turning a connection away before any backend is dialled, with the reason in the form its door
 * speaks: a line of text on telnet, an `exit` reply on a JSON socket, a 503 (or 408) over HTTP, a
 * notice and a close on the page's WebSocket.
 */
import { encodeBbsMessage } from '../../common/bbs-messages.js';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { OP_CLOSE, OP_TEXT, closePayload, encodeFrame } from './websocket-frames.js';
import { answerHandshake } from './websocket-handshake.js';

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
    const upgrade = first[0] === 0x40 ? undefined : webSocketAccept(first);
    if (upgrade !== undefined) socket.end(webSocketRefusal(upgrade, message));
    else socket.end(first[0] === 0x40 ? exitFrame(message) : httpText(503, 'Service Unavailable', message, { 'retry-after': String(retryAfterSeconds) }));
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

// The page's WebSocket handshake, answered and then closed with the reason as a notice: a browser
// shows nothing of a refused handshake's body, so the page said the BBS might be down.
function webSocketAccept(first: Buffer): string | undefined {
  const text = first.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [requestLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (headers.upgrade?.toLowerCase() !== 'websocket') return undefined;
  // Only the page's own socket, from a page the same host served (the WebSocket door's checks, in short).
  const [method, path = ''] = requestLine.split(' ');
  if (!/^\/ws(\?|$)/.test(path) || !sameOrigin(headers.origin, headers.host)) return undefined;
  const answer = answerHandshake({ method, headers } as unknown as IncomingMessage);
  return 'accept' in answer ? answer.accept : undefined;
}

// No Origin (a program, not a browser), or one naming the host the request was sent to.
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The 101 accepting a page's handshake, `message` as a notice, and a close saying to try again later (1013). */
function webSocketRefusal(accept: string, message: string): Buffer {
  return Buffer.concat([Buffer.from(accept, 'latin1'), encodeFrame(OP_TEXT, encodeBbsMessage({ type: 'notice', msg: message })), encodeFrame(OP_CLOSE, closePayload(CLOSE_TRY_AGAIN_LATER, 'try again later'))]);
}

/** The close code for a refusal the page may try again after (IANA's registry: "Try Again Later"). */
const CLOSE_TRY_AGAIN_LATER = 1013;
