/**
 * The ZAP handler (ZeroMQ RFC 27) of the proxy's CURVE endpoints: libzmq asks it, over
 * inproc://zeromq.zap.01 in the same context, whether each peer's key may attach. Each backend
 * number's endpoints have their own ZAP domain (the number), and a key is let in, over CURVE, only
 * in the domain of the number it is listed for; anything else is refused and logged within bounds
 * (zap-refusal-log.ts).
 */
import { Router } from 'zeromq';
import { z85Encode } from './curve-z85.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';
import { DEFAULT_REFUSAL_LOG_LIMITS, refusalLog, type RefusalLogLimits } from './zap-refusal-log.js';

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/** A running ZAP handler. */
export interface ZapHandler {
  /** How many attachments it has refused. */
  readonly refused: number;
  close(): Promise<void>;
}

/** Binds the ZAP handler letting into each ZAP domain (a number) only the keys `allowed` lists for it (Z85 public key to a name for the log). */
export async function startZapHandler(allowed: ReadonlyMap<string, ReadonlyMap<string, string>>, log: Logger, now: () => number = Date.now, limits: RefusalLogLimits = DEFAULT_REFUSAL_LOG_LIMITS): Promise<ZapHandler> {
  const router = new Router({ linger: 0 });
  // libzmq frees the inproc name only once the closed socket is destroyed on its reaper thread, and
  // says so last, with its monitor's end event: close() waits for it, so a handler started right
  // after this one (a restarted proxy, the next test) never finds the name taken.
  const events = router.events;
  const destroyed = new Promise<void>((resolve) => events.on('end', () => resolve()));
  await router.bind(ZAP_ENDPOINT);
  log.info('CURVE on the tcp:// backend endpoints', { allowed: Object.fromEntries([...allowed].map(([domain, keys]) => [domain, [...keys.values()]])) });
  // Which number a key is listed for, to say so when it turns up on another number's endpoints.
  const listedFor = new Map<string, string[]>();
  for (const [domain, keys] of allowed) for (const key of keys.keys()) listedFor.set(key, [...(listedFor.get(key) ?? []), domain]);
  const note = refusalLog(log, now, limits);
  let refused = 0;
  const answering = (async () => {
    try {
      for await (const [peer = Buffer.alloc(0), empty = Buffer.alloc(0), version = Buffer.alloc(0), requestId = Buffer.alloc(0), domain = Buffer.alloc(0), address = Buffer.alloc(0), , mechanism = Buffer.alloc(0), credential] of router) {
        let status = '400';
        let text = 'key not allowed';
        let user = '';
        const from = address.toString();
        // Only the numbers' CURVE endpoints are ours to answer for: any other socket of this
        // process given a ZAP domain, and any other mechanism (NULL, PLAIN), is refused.
        const keys = allowed.get(domain.toString());
        if (keys === undefined) {
          text = 'ZAP domain not served';
          refused++;
          note(`(${mechanism.toString()})`, from, `ZAP domain "${domain.toString()}" is not a number with CURVE keys`);
        } else if (mechanism.toString() !== 'CURVE' || credential === undefined || credential.length !== 32) {
          text = 'CURVE only';
          refused++;
          note(`(${mechanism.toString()})`, from, 'not CURVE');
        } else {
          const key = z85Encode(credential);
          const name = keys.get(key);
          if (name !== undefined) {
            status = '200';
            text = 'OK';
            user = name;
            log.debug('backend key let in', { backend: name, number: domain.toString(), address: from });
          } else {
            refused++;
            const other = listedFor.get(key);
            note(key, from, other === undefined ? `key not in --curve-clients for ${domain.toString()}` : `key allowed on ${other.join(', ')} only, not on ${domain.toString()}`);
          }
        }
        await router.send([peer, empty, version, requestId, status, text, user, '']);
      }
    } catch (error) {
      if (!router.closed) log.error('ZAP handler failed', { error: describeError(error) });
    }
  })();
  return {
    get refused() {
      return refused;
    },
    async close() {
      // Closed, never unbound: zeromq.js unbinds on a libuv worker thread while the reader's pending
      // receive still polls the socket on the main thread, and libzmq sockets are not thread-safe. As
      // the CURVE sockets just closed end their ZAP pipes both threads handled the same pipe, and
      // libzmq aborted the process (pipe.cpp:355, _state == term_ack_sent || _state == term_req_sent2).
      router.close();
      await answering;
      // Bounded: a stop never hangs on it (with linger 0 it comes at once).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([destroyed, new Promise<void>((resolve) => (timer = setTimeout(resolve, DESTROY_WAIT_MS)))]);
      clearTimeout(timer);
    },
  };
}

// How long close() waits at most for libzmq to destroy the closed socket.
const DESTROY_WAIT_MS = 5000;
