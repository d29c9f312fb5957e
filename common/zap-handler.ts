/**
 * The ZAP handler (ZeroMQ RFC 27) of the proxy's CURVE endpoints: libzmq asks it, over
 * inproc://zeromq.zap.01 in the same context, whether each peer's key may attach. Keys in the
 * allowed list are let in; any other is refused and logged (key and address), rate-limited.
 */
import { Router } from 'zeromq';
import { z85Encode } from './curve-z85.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
// One refusal line per key and address per window, counting the ones left out.
const REFUSAL_LOG_WINDOW_MS = 60_000;
const MAX_REMEMBERED = 1000;

/** A running ZAP handler. */
export interface ZapHandler {
  /** How many attachments it has refused. */
  readonly refused: number;
  close(): Promise<void>;
}

/** Binds the ZAP handler letting in only `allowed` (Z85 public key to a name for the log). */
export async function startZapHandler(allowed: ReadonlyMap<string, string>, log: Logger): Promise<ZapHandler> {
  const router = new Router({ linger: 0 });
  await router.bind(ZAP_ENDPOINT);
  log.info('CURVE on the tcp:// backend endpoints', { allowed: [...allowed.values()] });
  const logged = new Map<string, { at: number; left: number }>();
  let refused = 0;
  const noteRefusal = (key: string, address: string): void => {
    refused++;
    const id = `${key} ${address}`;
    const now = Date.now();
    const seen = logged.get(id);
    if (seen !== undefined && now - seen.at < REFUSAL_LOG_WINDOW_MS) {
      seen.left++;
      return;
    }
    if (logged.size >= MAX_REMEMBERED) logged.clear();
    logged.set(id, { at: now, left: 0 });
    log.warn('backend key refused', { key, address, alsoRefusedBefore: seen?.left ?? 0 });
  };
  const answering = (async () => {
    try {
      for await (const [peer = Buffer.alloc(0), empty = Buffer.alloc(0), version = Buffer.alloc(0), requestId = Buffer.alloc(0), , address = Buffer.alloc(0), , mechanism = Buffer.alloc(0), credential] of router) {
        let status = '400';
        let text = 'key not allowed';
        let user = '';
        if (mechanism.toString() === 'CURVE' && credential !== undefined && credential.length === 32) {
          const key = z85Encode(credential);
          const name = allowed.get(key);
          if (name !== undefined) {
            status = '200';
            text = 'OK';
            user = name;
            log.debug('backend key let in', { backend: name, address: address.toString() });
          } else noteRefusal(key, address.toString());
        } else if (mechanism.toString() === 'NULL') {
          // Only a socket given a ZAP domain asks about NULL peers; m2bbs's plain endpoints give none.
          status = '200';
          text = 'OK';
        } else noteRefusal(`(${mechanism.toString()})`, address.toString());
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
