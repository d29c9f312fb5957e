/**
 * The WebSocket door: the page's terminal sends `{"type":"msg","msg":LINE}` text frames and gets
 * each reply as one text frame; the proxy dials on the page's behalf.
 */
import { isUtf8 } from 'node:buffer';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../../common/log.js';
import type { Call, Line, Switchboard } from '../line.js';

export interface WebSocketDoorOptions {
  readonly switchboard: Switchboard;
  readonly log: Logger;
}

/** A message from the proxy itself, not from a backend. */
export function notice(msg: string): string {
  return JSON.stringify({ type: 'notice', msg });
}

/** Serves one accepted WebSocket on `route`. */
export function serveWebSocket(ws: WebSocket, remoteAddr: string, route: string, options: WebSocketDoorOptions): void {
  const page = new PageConnection(ws, remoteAddr, options.log);
  const dialled = options.switchboard.dial(page, { door: 'websocket', remoteAddr, route });
  if (!dialled.ok) {
    ws.send(notice(dialled.message));
    ws.close(1013, dialled.reason);
    return;
  }
  page.call = dialled.call;
  PAGES.set(ws, page);
  ws.on('message', onMessage);
  ws.on('close', onClose);
  ws.on('error', onError);
  page.call.sendLine('connect');
}

// The same three listeners for every socket (`this` is the socket): no closures per caller.
const PAGES = new WeakMap<WebSocket, PageConnection>();

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  PAGES.get(this)?.receive(data, isBinary);
}

function onClose(this: WebSocket): void {
  PAGES.get(this)?.call?.leave();
}

function onError(this: WebSocket, error: Error): void {
  PAGES.get(this)?.log('debug', 'websocket error', { error: error.message });
}

// One per page caller, kept for the whole call: a class, so its methods are shared rather than
// closures per connection (run through tsx, a named closure also carries its own property table).
class PageConnection implements Line {
  call: Call | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly remoteAddr: string,
    private readonly baseLog: Logger,
  ) {}

  log(level: 'debug' | 'warn', msg: string, fields: Readonly<Record<string, unknown>>): void {
    this.baseLog[level](msg, { door: 'websocket', remote: this.remoteAddr, ...(this.call === undefined ? {} : { conn: this.call.id }), ...fields });
  }

  deliver(body: Buffer): void {
    this.ws.send(isUtf8(body) ? body.toString('utf8') : body);
  }

  hangUp(): void {
    this.ws.close(1000, 'bye');
  }

  notice(text: string): void {
    this.ws.send(notice(text));
  }

  // The page shows NO CARRIER on any close and offers a redial.
  dropped(text: string): void {
    this.ws.send(notice(text));
    this.ws.close(1001, 'line dropped');
  }

  receive(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.refuse(1003, 'Binary messages are not accepted');
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return this.refuse(1007, 'That message was not JSON');
    }
    const { type, msg } = (typeof message === 'object' && message !== null ? message : {}) as { type?: unknown; msg?: unknown };
    if (type === 'ping') return;
    if (type !== 'msg' || typeof msg !== 'string') return this.refuse(1007, 'Expected {"type":"msg","msg":"a line"}');
    this.call?.sendLine(msg);
  }

  private refuse(code: number, why: string): void {
    this.log('warn', 'websocket message refused', { why });
    this.ws.send(notice(`${why}; closing the line.`));
    this.ws.close(code, why.slice(0, 100));
    this.call?.leave();
  }
}
