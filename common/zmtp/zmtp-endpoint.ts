/**
 * The endpoints ZMTP in Node binds itself: tcp:// on an IP address (or `*`, every address) and a
 * port (or `*`, one the system picks), and ipc:// (a Unix socket file). Anything else (an
 * interface name, another transport) is left to libzmq.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';

export type ZmtpAddress = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'ipc'; readonly path: string };

/** Where `endpoint` listens, or undefined when it is not one this module binds. */
export function zmtpAddress(endpoint: string): ZmtpAddress | undefined {
  if (endpoint.startsWith('ipc://')) {
    const path = endpoint.slice('ipc://'.length);
    return path === '' || path.includes('\0') ? undefined : { kind: 'ipc', path };
  }
  const tcp = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/]+)):(\*|\d{1,5})$/.exec(endpoint);
  if (tcp === null) return undefined;
  const named = tcp[1] ?? tcp[2] ?? '';
  const host = named === '*' ? '0.0.0.0' : named === 'localhost' ? '127.0.0.1' : named;
  const port = tcp[3] === '*' ? 0 : Number(tcp[3]);
  if (isIP(host) === 0 || port > 65535) return undefined;
  return { kind: 'tcp', host, port };
}

/** A listening endpoint: the server, and the endpoint as bound (the real port where `*` or 0 was asked). */
export interface BoundEndpoint {
  readonly server: Server;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Listens on `address`; fails with the error's code (EADDRINUSE...) and `address` set to `endpoint`. */
export async function listenOn(endpoint: string, address: ZmtpAddress, onSocket: (socket: Socket) => void): Promise<BoundEndpoint> {
  const server = createServer({ noDelay: true }, onSocket);
  // As libzmq does, a socket file left by a process that died is replaced (a file of another kind is not).
  if (address.kind === 'ipc' && isSocketFile(address.path)) unlinkSync(address.path);
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => fail(Object.assign(error, { address: endpoint })));
    if (address.kind === 'ipc') server.listen(resolve(address.path), done);
    else server.listen(address.port, address.host, done);
  });
  const where = server.address();
  const bound = address.kind === 'ipc' || where === null || typeof where === 'string' ? endpoint : `tcp://${where.family === 'IPv6' ? `[${where.address}]` : where.address}:${where.port}`;
  return {
    server,
    endpoint: bound,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        if (address.kind === 'ipc' && isSocketFile(address.path)) unlinkSync(address.path);
      }),
  };
}

function isSocketFile(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}
