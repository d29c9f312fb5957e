/**
 * The front port (6767, as the original BBS): a connection whose first byte is `@` speaks
 * Mongrel2's JSON-socket protocol; anything else is HTTP (the page, its WebSocket).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { serveJsonSocket, type JsonSocketDoorOptions } from './json-socket-door.js';
import { notice } from './websocket-door.js';

export interface FrontDoor {
  readonly server: Server;
  /** Tells JSON-socket callers `message` and ends every connection still open (shutdown). */
  closeAll(message: string): void;
}

/** Creates the listener that sorts connections between the JSON-socket door and HTTP. */
export function createFrontDoor(http: HttpServer, json: JsonSocketDoorOptions): FrontDoor {
  const jsonSockets = new Set<Socket>();
  // Node's HTTP server tracks connections only when it listens itself, so the front door does.
  const httpSockets = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    // Replies go out as several small writes (a screen, then its prompt): without this, Nagle's
    // algorithm holds the second until the caller's delayed ACK, 40 ms on Linux.
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('data', (first: Buffer) => {
      if (first[0] === 0x40) {
        jsonSockets.add(socket);
        socket.once('close', () => jsonSockets.delete(socket));
        serveJsonSocket(socket, first, json);
        return;
      }
      // Give HTTP the bytes already read, as if it had read them itself.
      httpSockets.add(socket);
      socket.once('close', () => httpSockets.delete(socket));
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
