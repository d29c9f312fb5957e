/** A backend number's sockets as ZMTP in Node (common/zmtp/): PUSH and SUB bound on plain tcp:// or ipc://. */
import { zmtpAddress } from '../common/zmtp/zmtp-endpoint.js';
import { ZmtpPush, ZmtpSub } from '../common/zmtp/zmtp-sockets.js';
import type { BackendSpec } from './backend-link.js';
import type { LinkPeerEvents, LinkSockets } from './link-sockets.js';

/** Binds PUSH on the send spec and SUB on the recv spec. */
export async function openZmtpLinkSockets(spec: BackendSpec, events: LinkPeerEvents): Promise<LinkSockets> {
  const push = new ZmtpPush();
  const sub = new ZmtpSub();
  push.watch = { connected: () => events.connected(), disconnected: () => events.disconnected(), refused: (why) => events.refused?.(why) };
  // A SUB peer is no backend (only PUSH peers count), but one refused there is logged all the same.
  sub.watch = { connected: () => undefined, disconnected: () => undefined, refused: (why) => events.refused?.(why) };
  try {
    await push.bind(spec.sendSpec, zmtpAddress(spec.sendSpec) as NonNullable<ReturnType<typeof zmtpAddress>>);
    await sub.bind(spec.recvSpec, zmtpAddress(spec.recvSpec) as NonNullable<ReturnType<typeof zmtpAddress>>);
  } catch (error) {
    await Promise.all([push.close(), sub.close()]);
    throw error;
  }
  let closed: () => void = () => undefined;
  const ended = new Promise<void>((done) => (closed = done));
  return {
    sink: push,
    sendSpec: push.lastEndpoint ?? spec.sendSpec,
    recvSpec: sub.lastEndpoint ?? spec.recvSpec,
    receive(onFrame) {
      sub.onMessage = (parts) => {
        for (const part of parts) onFrame(part);
      };
      return ended;
    },
    async close(flushMs) {
      await Promise.all([push.close(flushMs), sub.close()]);
      closed();
    },
  };
}
