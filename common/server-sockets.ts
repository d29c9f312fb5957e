/** Mongrel2's side of the handler protocol: a PUSH (send spec) and a SUB (recv spec), both bound. */
import { Push, Subscriber } from 'zeromq';

export interface ServerSockets {
  readonly push: Push;
  readonly sub: Subscriber;
  /** The endpoints as bound, for a handler to connect to. */
  readonly sendSpec: string;
  readonly recvSpec: string;
}

/** Binds PUSH and SUB (subscribed to everything) on loopback ports the system picks. */
export async function bindServerSockets(): Promise<ServerSockets> {
  const push = new Push();
  const sub = new Subscriber();
  push.linger = 0;
  sub.linger = 0;
  await push.bind('tcp://127.0.0.1:*');
  await sub.bind('tcp://127.0.0.1:*');
  sub.subscribe('');
  return { push, sub, sendSpec: push.lastEndpoint as string, recvSpec: sub.lastEndpoint as string };
}
