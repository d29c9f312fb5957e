/** A backend number's sockets as ZMTP in Node (common/zmtp/): PUSH and SUB bound on plain tcp:// or ipc://. */
import { RepeatThrottle } from '../common/repeat-throttle.js';
import { ZmtpPush, ZmtpSub } from '../common/zmtp/zmtp-sockets.js';
import type { BackendSpec } from './backend-link.js';
import type { LinkPeerEvents, LinkSockets } from './link-sockets.js';

// Refusals alike are said once per this long, with a count: each would otherwise be a log line.
const REFUSAL_WINDOW_MS = 10_000;

/** Binds PUSH on the send spec and SUB on the recv spec; refusals alike are said once per `refusalWindowMs`. */
export async function openZmtpLinkSockets(spec: BackendSpec, events: LinkPeerEvents, refusalWindowMs = REFUSAL_WINDOW_MS): Promise<LinkSockets> {
  const push = new ZmtpPush();
  const sub = new ZmtpSub();
  const refusals = new RepeatThrottle(refusalWindowMs, (why, count) => events.refused?.(`${why} (${count} more peer${count === 1 ? '' : 's'} refused so within ${refusalWindowMs / 1000} s)`));
  const refused = (why: string): void => refusals.seen(why, () => events.refused?.(why));
  push.watch = { connected: () => events.connected(), disconnected: () => events.disconnected(), refused };
  // A SUB peer is no backend (only PUSH peers count), but one refused there is logged all the same.
  sub.watch = { connected: () => undefined, disconnected: () => undefined, refused };
  try {
    await push.bind(spec.sendSpec);
    await sub.bind(spec.recvSpec);
  } catch (error) {
    refusals.close();
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
      refusals.close();
      closed();
    },
  };
}
