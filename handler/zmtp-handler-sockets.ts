/** A backend's sockets as ZMTP in Node (common/zmtp/): PULL and PUB dialling plain tcp:// or ipc://. */
import type { Logger } from '../common/log.js';
import { MAX_SUBSCRIPTION_BYTES, MAX_SUBSCRIPTIONS, ZmtpPub, ZmtpPull } from '../common/zmtp/zmtp-dialing-sockets.js';
import { RefusalThrottle } from '../common/zmtp/refusal-throttle.js';
import { REPLY_LINGER_MS, type HandlerEndpoints, type HandlerSocketEvents, type HandlerSockets } from './handler-sockets.js';

// Refusals alike are said once per this long, with a count: a server that keeps refusing is redialled every 100 ms.
const REFUSAL_WINDOW_MS = 10_000;

export function openZmtpHandlerSockets(endpoints: HandlerEndpoints, events: HandlerSocketEvents, log: Logger): HandlerSockets {
  const refusals = new RefusalThrottle(REFUSAL_WINDOW_MS, (why) => log.warn('server refused', { why }));
  const pull = new ZmtpPull({
    vet: () => events.guard('--send-spec', endpoints.sendSpec),
    connected: () => undefined,
    disconnected: () => events.requestsLost(),
    refused: (why) => refusals.refused(`--send-spec ${endpoints.sendSpec}: ${why}`),
  });
  const pub = new ZmtpPub({
    vet: () => events.guard('--recv-spec', endpoints.recvSpec),
    connected: () => events.heard(true),
    disconnected: () => events.heard(false),
    refused: (why) => refusals.refused(`--recv-spec ${endpoints.recvSpec}: ${why}`),
  });
  pub.onSubscribe = (topic) => {
    log.debug('server subscribed', { topic: topic.toString() });
    events.subscribed();
  };
  pub.onIgnored = (topic, count) => {
    // Once per connection: a server sending thousands would otherwise write a line each.
    if (count === 1) log.warn('server subscriptions past the limit ignored: replies to those topics are not sent', { recvSpec: endpoints.recvSpec, maxSubscriptions: MAX_SUBSCRIPTIONS, maxSubscriptionBytes: MAX_SUBSCRIPTION_BYTES, topic: topic.subarray(0, 64).toString() });
  };
  let requestsClosed: () => void = () => undefined;
  const ended = new Promise<void>((done) => (requestsClosed = done));
  return {
    zmtp: 'node',
    replies: pub,
    connect(onFrame) {
      pull.onMessage = (parts) => {
        for (const part of parts) onFrame(part);
      };
      pull.connect(endpoints.sendSpec);
      pub.connect(endpoints.recvSpec);
      return ended;
    },
    closeRequests() {
      pull.onMessage = undefined;
      void pull.close();
      requestsClosed();
    },
    async closeReplies() {
      await pub.close(REPLY_LINGER_MS);
      refusals.close();
      if (pub.dropped > 0) log.warn('replies dropped: the server read none of them', { dropped: pub.dropped });
    },
  };
}
