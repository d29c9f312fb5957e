/**
 * The ZAP handler (ZeroMQ RFC 27) of the proxy's CURVE endpoints: libzmq asks it, over
 * inproc://zeromq.zap.01 in the same context, whether each peer's key may attach. Keys in the
 * allowed list are let in, over CURVE in the proxy's domain only; anything else is refused and
 * logged within bounds (zap-refusal-log.ts).
 */
import { Router } from 'zeromq';
import { z85Encode } from './curve-z85.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';
import { DEFAULT_REFUSAL_LOG_LIMITS, refusalLog, type RefusalLogLimits } from './zap-refusal-log.js';

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
/** The ZAP domain of the proxy's CURVE endpoints: the only one this handler lets anyone into. */
export const ZAP_DOMAIN = 'm2bbs';

/** A running ZAP handler. */
export interface ZapHandler {
  /** How many attachments it has refused. */
  readonly refused: number;
  close(): Promise<void>;
}

/** Binds the ZAP handler letting in only `allowed` (Z85 public key to a name for the log). */
export async function startZapHandler(allowed: ReadonlyMap<string, string>, log: Logger, now: () => number = Date.now, limits: RefusalLogLimits = DEFAULT_REFUSAL_LOG_LIMITS): Promise<ZapHandler> {
  const router = new Router({ linger: 0 });
  await router.bind(ZAP_ENDPOINT);
  log.info('CURVE on the tcp:// backend endpoints', { allowed: [...allowed.values()] });
  const note = refusalLog(log, now, limits);
  let refused = 0;
  const answering = (async () => {
    try {
      for await (const [peer = Buffer.alloc(0), empty = Buffer.alloc(0), version = Buffer.alloc(0), requestId = Buffer.alloc(0), domain = Buffer.alloc(0), address = Buffer.alloc(0), , mechanism = Buffer.alloc(0), credential] of router) {
        let status = '400';
        let text = 'key not allowed';
        let user = '';
        const from = address.toString();
        // Only the proxy's CURVE endpoints are ours to answer for: any other socket of this
        // process given a ZAP domain, and any other mechanism (NULL, PLAIN), is refused.
        if (domain.toString() !== ZAP_DOMAIN) {
          text = 'ZAP domain not served';
          refused++;
          note(`(${mechanism.toString()})`, from, `ZAP domain "${domain.toString()}" is not ${ZAP_DOMAIN}`);
        } else if (mechanism.toString() !== 'CURVE' || credential === undefined || credential.length !== 32) {
          text = 'CURVE only';
          refused++;
          note(`(${mechanism.toString()})`, from, 'not CURVE');
        } else {
          const key = z85Encode(credential);
          const name = allowed.get(key);
          if (name !== undefined) {
            status = '200';
            text = 'OK';
            user = name;
            log.debug('backend key let in', { backend: name, address: from });
          } else {
            refused++;
            note(key, from, 'key not in --curve-clients');
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
      router.close();
      await answering;
    },
  };
}
