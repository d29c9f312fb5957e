/**
 * The front port's deadline on a response going out (server/doors/header-deadline.ts), on a real
 * socket: a response larger than the kernel's buffers, to a client that stops reading, is reset
 * once no byte of it has been taken for the deadline; one the client reads goes out whole.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { HeaderDeadlines } from '../server/doors/header-deadline.js';
import { NonReadingClient } from './support/non-reading-client.js';
import { until } from './support/process-tree.js';
import { RawConnection } from './support/raw-connection.js';

// More than a socket's send buffer grows to (4 MiB by default on Linux) and a 2 KiB window together.
const RESPONSE = Buffer.alloc(16 * 1024 * 1024, 'x');

const open: { server: Server; sockets: Socket[]; client?: NonReadingClient }[] = [];
afterEach(async () => {
  for (const { server, sockets, client } of open.splice(0)) {
    client?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server that answers the first bytes of each connection with RESPONSE, under a deadline of `ms`. */
async function responder(ms: number): Promise<{ port: number; lines: Record<string, unknown>[]; sockets: Socket[] }> {
  const lines: Record<string, unknown>[] = [];
  const deadlines = new HeaderDeadlines(ms, createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }));
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    deadlines.start(socket);
    // As the front door does: its owner ends a socket's deadline when it closes.
    socket.on('close', () => deadlines.done(socket));
    socket.once('data', () => {
      deadlines.expect(socket, 'http');
      deadlines.requestRead(socket);
      socket.write(RESPONSE, () => deadlines.responded(socket));
    });
  });
  open.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, lines, sockets };
}

it('resets a client that stops reading a response once it has taken nothing for the deadline', async () => {
  const { port, lines, sockets } = await responder(300);
  const client = NonReadingClient.start(port, 1, '/big');
  open[0]!.client = client;
  expect(await client.until('began')).toBe('began xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
  expect(await client.until('closed')).toBe('closed reset');
  expect(sockets[0]!.destroyed).toBe(true);
  expect(lines).toEqual([expect.objectContaining({ msg: 'connection reset: response not read', code: 'BBS_ERR_RESPONSE_STALLED', unanswered: 1, ms: 300 })]);
});

it('lets a client that reads take the whole response', async () => {
  const { port, lines } = await responder(300);
  const reader = await RawConnection.open(port);
  reader.write('GET /big HTTP/1.1\r\n\r\n');
  await reader.until('x'.repeat(64));
  await until(() => (reader.received.length >= RESPONSE.length ? true : undefined), 'the whole response');
  expect(reader.received.length).toBe(RESPONSE.length);
  expect(lines).toEqual([]);
  reader.destroy();
});
