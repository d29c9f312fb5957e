/**
 * The front port (6767, as the original BBS): a connection whose first byte is `@` speaks
 * Mongrel2's JSON-socket protocol; anything else is HTTP (the page, its WebSocket). Every
 * connection is counted by the proxy's caps, and must send a whole request in time.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { ConnectionCaps } from '../connection-caps.js';
import type { HeaderDeadlines } from './header-deadline.js';
import { serveJsonSocket, type JsonSocketDoorOptions } from './json-socket-door.js';
import { Refusals, refuseFront } from './refuse-connection.js';
import { notice } from './websocket-door.js';
import type { ErrorCode } from '../../common/errors.js';
import { createRefusalLog } from '../refusal-log.js';

/** HTTP requests one connection may have unanswered at once (a browser sends one at a time). */
export const MAX_PIPELINED = 4;

const TOO_MANY_PIPELINED: ErrorCode = 'BBS_ERR_TOO_MANY_PIPELINED';

export interface FrontDoor {
  readonly server: Server;
  /** Tells JSON-socket callers `message` and ends every connection still open (shutdown). */
  closeAll(message: string): void;
}

/** What guards the front port: the proxy's connection caps and the deadline for a whole request. */
export interface FrontGuard {
  readonly caps: ConnectionCaps;
  readonly deadlines: HeaderDeadlines;
}

/** Creates the listener that sorts connections between the JSON-socket door and HTTP. */
export function createFrontDoor(http: HttpServer, json: JsonSocketDoorOptions, guard: FrontGuard): FrontDoor {
  const { caps, deadlines } = guard;
  const jsonSockets = new Set<Socket>();
  // Node's HTTP server tracks connections only when it listens itself, so the front door does.
  const httpSockets = new Set<Socket>();
  // One close listener for every socket (`this` is the socket), for the caps, the deadline and the
  // sets alike: nothing allocated per caller, and no third listener (see ConnectionCaps.admit).
  function closed(this: Socket): void {
    caps.closed(this);
    deadlines.done(this);
    jsonSockets.delete(this);
    httpSockets.delete(this);
  }
  const refusals = new Refusals();
  const refuseWaitMs = Math.min(deadlines.ms, 2000);
  const refusalLog = json.refusals ?? createRefusalLog(json.log);
  const jsonOptions: JsonSocketDoorOptions = { ...json, caps, refusals: refusalLog, firstFrame: (socket) => deadlines.done(socket) };
  // First of the request listeners, so a request past the bound is never answered.
  http.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const unanswered = deadlines.requestRead(socket);
    res.once('finish', () => deadlines.responded(socket));
    // Node parses every request of a chunk read at once, and holds a response object for each: a
    // client that pipelines hundreds without reading would make it hold them all.
    if (unanswered > MAX_PIPELINED && !socket.destroyed) {
      refusalLog.refused('info', 'connection reset: too many pipelined requests', socket.remoteAddress, { code: TOO_MANY_PIPELINED, door: 'http', max: MAX_PIPELINED });
      socket.resetAndDestroy();
    }
  });
  // The WebSocket is a call now: its idle time is the backend's to judge.
  http.on('upgrade', (req: IncomingMessage) => deadlines.done(req.socket));
  const server = createServer((socket: Socket) => {
    const refused = caps.admit(socket);
    if (refused !== undefined) return refusals.refuse(socket, (s) => refuseFront(s, refused.message, refuseWaitMs, refused.retryAfterSeconds));
    // Replies go out as several small writes (a screen, then its prompt): without this, Nagle's
    // algorithm holds the second until the caller's delayed ACK, 40 ms on Linux.
    socket.setNoDelay(true);
    socket.on('error', ignoreError);
    socket.on('close', closed);
    deadlines.start(socket);
    socket.once('data', (first: Buffer) => {
      if (first[0] === 0x40) {
        deadlines.expect(socket, 'json');
        jsonSockets.add(socket);
        serveJsonSocket(socket, first, jsonOptions);
        return;
      }
      deadlines.expect(socket, 'http');
      // Give HTTP the bytes already read, as if it had read them itself.
      httpSockets.add(socket);
      socket.pause();
      socket.unshift(first);
      http.emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  return {
    server,
    closeAll(message) {
      for (const socket of jsonSockets) socket.end(`${Buffer.from(notice(message)).toString('base64')}\0`);
      // Ending (not destroying) lets a WebSocket's closing frame, already written, go out first.
      for (const socket of httpSockets) socket.end();
      const stragglers = [...jsonSockets, ...httpSockets];
      setTimeout(() => stragglers.forEach((socket) => socket.destroy()), 2000).unref();
    },
  };
}

// Errors of a connection surface as its close; the door that serves it logs them.
function ignoreError(): void {}
