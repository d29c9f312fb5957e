/** Mongrel2's side of the handler protocol: a PUSH (send spec) and a SUB (recv spec), both bound. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curveKeyPair, Push, Subscriber } from 'zeromq';
import type { HandlerCurve } from './curve-flags.js';
import { curveServerOptions } from './curve-socket-options.js';
import { createLogger } from './log.js';
import { startZapHandler, type ZapHandler } from './zap-handler.js';

/** How the two sockets are bound: loopback tcp, ipc in a private folder, or tcp with CURVE. */
export type ServerTransport = 'tcp' | 'ipc' | 'curve';

export interface ServerSockets {
  readonly push: Push;
  readonly sub: Subscriber;
  /** The endpoints as bound, for a handler to connect to. */
  readonly sendSpec: string;
  readonly recvSpec: string;
  /** With CURVE: the keys a handler connects with (the only client key let in). */
  readonly clientCurve?: HandlerCurve;
  /** Closes both sockets and removes what binding them made (the ipc folder, the ZAP handler). */
  close(): Promise<void>;
}

/** Binds PUSH and SUB (subscribed to everything) on loopback ports the system picks, or as `transport` says. */
export async function bindServerSockets(transport: ServerTransport = 'tcp'): Promise<ServerSockets> {
  let zap: ZapHandler | undefined;
  let clientCurve: HandlerCurve | undefined;
  let serverOptions = {};
  if (transport === 'curve') {
    const server = curveKeyPair();
    const client = curveKeyPair();
    clientCurve = { ...client, serverKey: server.publicKey };
    zap = await startZapHandler(new Map([['bbs', new Map([[client.publicKey, 'client']])]]), createLogger('silent'));
    serverOptions = curveServerOptions(server.secretKey, 'bbs');
  }
  const folder = transport === 'ipc' ? mkdtempSync(join(tmpdir(), 'm2bbs-')) : undefined;
  const push = new Push(serverOptions);
  const sub = new Subscriber(serverOptions);
  push.linger = 0;
  sub.linger = 0;
  await push.bind(folder === undefined ? 'tcp://127.0.0.1:*' : `ipc://${join(folder, 'requests')}`);
  await sub.bind(folder === undefined ? 'tcp://127.0.0.1:*' : `ipc://${join(folder, 'replies')}`);
  sub.subscribe('');
  return {
    push,
    sub,
    sendSpec: push.lastEndpoint as string,
    recvSpec: sub.lastEndpoint as string,
    ...(clientCurve === undefined ? {} : { clientCurve }),
    async close() {
      push.close();
      sub.close();
      await zap?.close();
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    },
  };
}
