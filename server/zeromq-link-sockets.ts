/** A backend number's sockets through libzmq (zeromq.js): for CURVE, and endpoints ZMTP in Node does not bind. */
import { Push, Subscriber } from 'zeromq';
import type { CurveKeyPair } from '../common/curve-cert.js';
import { curveServerOptions } from '../common/curve-socket-options.js';
import { receiveFrames } from '../common/receive-frames.js';
import type { BackendSpec } from './backend-link.js';
import type { LinkPeerEvents, LinkSockets } from './link-sockets.js';

// Enforcing the ZAP domain makes a missing ZAP handler refuse every peer, where libzmq would
// otherwise let any key in. The domain is the number, so the ZAP handler lets in only that
// number's keys: a key allowed for bbs.20 cannot attach to bbs.21 and take its callers.
function curveOptionsFor(number: string, endpoint: string, curve: CurveKeyPair | undefined): { curveServer?: boolean; curveSecretKey?: string; zapDomain?: string; zapEnforceDomain?: boolean } {
  if (curve === undefined || !endpoint.startsWith('tcp://')) return {};
  return curveServerOptions(curve.secretKey, number);
}

/** Binds PUSH on the send spec and SUB on the recv spec, with CURVE on tcp:// when `curve` is given. */
export async function openZeromqLinkSockets(spec: BackendSpec, events: LinkPeerEvents, curve: CurveKeyPair | undefined): Promise<LinkSockets> {
  const push = new Push(curveOptionsFor(spec.number, spec.sendSpec, curve));
  const sub = new Subscriber(curveOptionsFor(spec.number, spec.recvSpec, curve));
  push.linger = 0;
  sub.linger = 0;
  // A backend process counts as up while its PULL socket is connected to our PUSH, from the end
  // of its handshake: a peer refused there (a wrong CURVE key, no key) never counts. Each refused
  // peer says so before its disconnect, which is then not one of a counted backend. zeromq.js
  // starts a socket's monitor on the first read of `events`: before the bind, so a backend already
  // running (a restarted proxy) that connects at once is never missed.
  let refusedPending = 0;
  push.events.on('handshake', () => events.connected());
  const refused = (): void => void refusedPending++;
  push.events.on('handshake:error:auth', refused);
  push.events.on('handshake:error:protocol', refused);
  push.events.on('handshake:error:other', refused);
  push.events.on('disconnect', () => {
    if (refusedPending > 0) {
      refusedPending--;
      return;
    }
    events.disconnected();
  });
  try {
    await push.bind(spec.sendSpec);
    await sub.bind(spec.recvSpec);
  } catch (error) {
    push.close();
    sub.close();
    throw error;
  }
  sub.subscribe('');
  return {
    sink: push,
    sendSpec: push.lastEndpoint ?? spec.sendSpec,
    recvSpec: sub.lastEndpoint ?? spec.recvSpec,
    async receive(onFrame) {
      try {
        await receiveFrames(sub, (frame) => onFrame(frame));
      } catch (error) {
        if (!sub.closed) throw error;
      }
    },
    async close(flushMs) {
      // linger 0 would discard frames handed to the socket but not yet written out.
      if (flushMs > 0) push.linger = flushMs;
      push.close();
      sub.close();
    },
  };
}
