/**
 * The JSON-socket door: Mongrel2's `@route {json}\0` protocol on the HTTP port. Replies go out as
 * base64 of the body followed by `\0`, as the original client.py and browser page expect.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../common/log.js';
import type { Call, Line, Switchboard } from '../line.js';
import { JsonSocketFramer, httpError, type FrameError } from './json-socket-framer.js';

export interface JsonSocketDoorOptions {
  readonly switchboard: Switchboard;
  readonly log: Logger;
  readonly maxFrameBytes?: number;
}

/** Routes made only of letters and `/` swallow pings, as Mongrel2's do; numbered routes forward them. */
const PING_SWALLOWING_ROUTE = /^@[a-z/]+$/;

/** Serves one JSON-socket connection whose first bytes (`firstChunk`) were already read. */
export function serveJsonSocket(socket: Socket, firstChunk: Buffer, options: JsonSocketDoorOptions): void {
  const framer = new JsonSocketFramer(options.maxFrameBytes ?? 64 * 1024);
  const remoteAddr = socket.remoteAddress ?? 'unknown';
  let log = options.log.child({ door: 'json', remote: remoteAddr });
  let call: Call | undefined;
  let closing = false;

  const write = (body: Buffer | string): void => {
    if (!closing) socket.write(`${Buffer.from(body).toString('base64')}\0`);
  };
  const line: Line = {
    deliver: write,
    hangUp() {
      closing = true;
      socket.end();
    },
    // Every JSON-socket client shows a reply's msg, whatever its type; `exit` also ends it.
    notice: (text) => write(JSON.stringify({ type: 'notice', msg: text })),
    dropped(text) {
      write(JSON.stringify({ type: 'exit', msg: text }));
      closing = true;
      socket.end();
    },
  };

  const refuse = (error: FrameError): void => {
    log.warn('json socket refused', { status: error.status, reason: error.reason });
    closing = true;
    call?.leave();
    socket.end(httpError(error.status));
  };

  // An `exit` reply is what every JSON-socket client already shows and stops on.
  const hangUpWith = (msg: string): void => {
    log.info('json socket caller not connected', { why: msg });
    closing = true;
    socket.end(`${Buffer.from(JSON.stringify({ type: 'exit', msg })).toString('base64')}\0`);
  };

  const onData = (chunk: Buffer): void => {
    if (closing) return;
    const { frames, error } = framer.push(chunk);
    for (const frame of frames) {
      if (closing) return;
      if (!options.switchboard.knows(frame.route)) return refuse({ status: 404, reason: `no number ${frame.route}` });
      if (call === undefined) {
        const dialled = options.switchboard.dial(line, { door: 'json', remoteAddr, route: frame.route });
        if (!dialled.ok) return hangUpWith(dialled.message);
        call = dialled.call;
        log = log.child({ conn: call.id });
      } else if (frame.route !== '@bbs' && frame.route !== `@${call.number}`) {
        return refuse({ status: 400, reason: `this connection is on @${call.number}, not ${frame.route}` });
      }
      if (PING_SWALLOWING_ROUTE.test(frame.route) && isPing(frame.body)) continue;
      call.send(frame.body);
    }
    if (error !== undefined) refuse(error);
  };

  socket.on('data', onData);
  socket.on('error', (error) => log.debug('json socket error', { error: error.message }));
  socket.on('close', () => {
    closing = true;
    call?.leave();
  });
  onData(firstChunk);
}

function isPing(body: Buffer): boolean {
  try {
    return (JSON.parse(body.toString('utf8')) as { type?: unknown }).type === 'ping';
  } catch {
    return false;
  }
}
