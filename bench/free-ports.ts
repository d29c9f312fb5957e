/** Free loopback TCP ports for a program that needs port numbers in its config (Mongrel2), not port 0. */
import { createServer, type Server } from 'node:net';

/** `count` distinct loopback TCP ports that were free a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  // Every listener stays open until all ports are known, so the system cannot hand one out twice.
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<Server>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
