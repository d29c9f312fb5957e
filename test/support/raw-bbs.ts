/**
 * A BBS played with hand-made bytes on a real TCP socket, for what a real one never sends: junk,
 * busy numbers, silence. Each connection's first frame (`@route {json}\0`) is read, then `answer`
 * writes whatever the test wants.
 */
import { createServer, type Socket } from 'node:net';

/** A running hand-made BBS. */
export interface RawBbs {
  readonly port: number;
  /** The route of every call's first frame, in order. */
  readonly routes: string[];
  /** Every frame callers sent after their first, as `@route body`. */
  readonly frames: string[];
  close(): Promise<void>;
}

/** One reply as m2bbs's proxy frames it: base64 of the JSON, then NUL. */
export function frame(reply: object): string {
  return `${Buffer.from(JSON.stringify(reply), 'utf8').toString('base64')}\0`;
}

/** Starts the server on an ephemeral loopback port. */
export async function startRawBbs(answer: (socket: Socket, route: string) => void): Promise<RawBbs> {
  const routes: string[] = [];
  const frames: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (!first) {
          frames.push(text);
          continue;
        }
        first = false;
        const route = text.slice(0, text.indexOf(' '));
        routes.push(route);
        answer(socket, route);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    routes,
    frames,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on which nothing listens: bound, noted, and closed again. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
