/**
 * The WebSocket door: the page's terminal sends `{"type":"msg","msg":LINE}` text frames and gets
 * each reply as one text frame; the proxy dials on the page's behalf.
 */
import { isUtf8 } from 'node:buffer';
import type { WebSocket } from 'ws';
import type { Logger } from '../../common/log.js';
import type { Call, Switchboard } from '../line.js';

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
  // Kept for the whole call, so no child logger and as few closures as can be: run through tsx,
  // each named closure also carries a ~250-byte property table.
  const dialled = options.switchboard.dial(
    {
      deliver(body) {
        ws.send(isUtf8(body) ? body.toString('utf8') : body);
      },
      hangUp() {
        ws.close(1000, 'bye');
      },
      notice(text) {
        ws.send(notice(text));
      },
      // The page shows NO CARRIER on any close and offers a redial.
      dropped(text) {
        ws.send(notice(text));
        ws.close(1001, 'line dropped');
      },
    },
    { door: 'websocket', remoteAddr, route },
  );
  if (!dialled.ok) {
    ws.send(notice(dialled.message));
    ws.close(1013, dialled.reason);
    return;
  }
  const { call } = dialled;
  const where = { door: 'websocket', remote: remoteAddr, conn: call.id };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return refuse(ws, call, 1003, 'Binary messages are not accepted', options.log, where);
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return refuse(ws, call, 1007, 'That message was not JSON', options.log, where);
    }
    const { type, msg } = (typeof message === 'object' && message !== null ? message : {}) as { type?: unknown; msg?: unknown };
    if (type === 'ping') return;
    if (type !== 'msg' || typeof msg !== 'string') return refuse(ws, call, 1007, 'Expected {"type":"msg","msg":"a line"}', options.log, where);
    call.sendLine(msg);
  });
  ws.on('close', () => call.leave());
  ws.on('error', (error) => options.log.debug('websocket error', { ...where, error: error.message }));
  call.sendLine('connect');
}

function refuse(ws: WebSocket, call: Call, code: number, why: string, log: Logger, where: Readonly<Record<string, unknown>>): void {
  log.warn('websocket message refused', { ...where, why });
  ws.send(notice(`${why}; closing the line.`));
  ws.close(code, why.slice(0, 100));
  call.leave();
}
