/** A backend's sockets on libzmq (zeromq.js): for CURVE, host names, and M2BBS_ZMQ_LIBRARY=1. */
import { Pull, XPublisher } from 'zeromq';
import { curveClientOptions } from '../common/curve-socket-options.js';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { receiveFrames } from '../common/receive-frames.js';
import { REPLY_LINGER_MS, type HandlerEndpoints, type HandlerSocketEvents, type HandlerSockets } from './handler-sockets.js';
import { guardIpcReconnects } from './ipc-folder-guard.js';

export function openZeromqHandlerSockets(endpoints: HandlerEndpoints, events: HandlerSocketEvents, log: Logger): HandlerSockets {
  // With keys, both sockets talk CURVE to the proxy, which lets in only the keys it was given.
  const curve = curveClientOptions(endpoints.curve);
  const pull = new Pull(curve);
  const pub = new XPublisher(curve);
  pull.linger = 0;
  pub.linger = REPLY_LINGER_MS;
  pull.events.on('disconnect', () => events.requestsLost());
  guardIpcReconnects(
    [
      { socket: pull, source: '--send-spec', spec: endpoints.sendSpec },
      { socket: pub, source: '--recv-spec', spec: endpoints.recvSpec },
    ],
    events.guard,
  );
  // Listened to before connecting: a connection made before the monitor starts is never told.
  pub.events.on('connect', () => events.heard(true));
  pub.events.on('disconnect', () => events.heard(false));
  return {
    zmtp: 'libzmq',
    replies: pub,
    async connect(onFrame) {
      pull.connect(endpoints.sendSpec);
      pub.connect(endpoints.recvSpec);
      void watchSubscriptions(pub, events.subscribed, log);
      try {
        await receiveFrames(pull, onFrame);
      } catch (error) {
        if (!pull.closed) log.error('request loop failed', { error: describeError(error) });
      }
    },
    closeRequests: () => pull.close(),
    // libzmq lingers by itself, in its I/O thread.
    closeReplies: async () => pub.close(),
  };
}

// A subscription comes over a connection: proof the server is there, whatever the monitor saw.
async function watchSubscriptions(pub: XPublisher, subscribed: () => void, log: Logger): Promise<void> {
  try {
    for await (const [message] of pub) {
      if (message?.[0] === 1) {
        log.debug('server subscribed', { topic: message.subarray(1).toString() });
        subscribed();
      }
    }
  } catch (error) {
    if (!pub.closed) log.error('subscription watch failed', { error: describeError(error) });
  }
}
