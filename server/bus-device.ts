/**
 * The event bus device: the seeds' forwarder, an XSUB bound at `in` (backends connect PUB) and an
 * XPUB bound at `out` (backends connect SUB), joined by zmq_proxy on its own thread. Bounded on
 * both sides: past a high-water mark the XPUB drops a slow subscriber's events, so one backend that
 * stops reading never holds up the others, and the device never blocks.
 */
import { Proxy, XPublisher, XSubscriber } from 'zeromq';
import { curveServerOptions } from '../common/curve-socket-options.js';
import { BbsError, describeError } from '../common/errors.js';
import { RepeatThrottle } from '../common/repeat-throttle.js';
import type { Logger } from '../common/log.js';
import { startZapHandler, type ZapHandler } from '../common/zap-handler.js';

// The ZAP domain of the bus's CURVE endpoints (numbers are the proxy's domains).
const BUS_ZAP_DOMAIN = 'bus';

// Events the device holds for one slow subscriber (or from one fast publisher) before dropping.
const DEVICE_HWM = 50_000;

// zmq_proxy runs on a libuv pool thread that only terminate() ends, and a process exiting (an
// uncaught exception, a process.exit before close) first joins that pool: it would hang for ever,
// its children still running. Every device still forwarding is terminated as the process exits.
const forwarding = new Set<Proxy>();
process.on('exit', () => {
  for (const proxy of forwarding) {
    try {
      proxy.terminate();
    } catch {
      // Already ending by itself: nothing to join.
    }
  }
});

/** The bus's CURVE: the secret key the backends know the public half of, and the keys let in (Z85 to a name for the log). */
export interface BusCurve {
  readonly secretKey: string;
  readonly allowed: ReadonlyMap<string, string>;
}

/** A running device, with the endpoints it bound (a `tcp://127.0.0.1:*` resolved to its port). */
export interface BusDevice {
  readonly in: string;
  readonly out: string;
  /** What to give a handler's --bus. */
  readonly spec: string;
  close(): Promise<void>;
}

/**
 * Binds the device at `inSpec` and `outSpec` and starts forwarding; throws a clear BbsError when an
 * endpoint cannot be bound. zmq_proxy returns when a signal lands on its thread (EINTR: a burst of
 * SIGCHLD as children die together), and zeromq.js then closes both sockets: the device binds the
 * same endpoints again and goes on, the backends' sockets reconnecting and subscribing again by
 * themselves (events published in between are lost, as past a high-water mark). `onStopped` hears
 * of it ending for good (binding again failed, or it was interrupted over and over): chat, paging
 * and who's online are dead from then on, which is for the host to act on.
 */
export async function startBusDevice(inSpec: string, outSpec: string, log: Logger, curve?: BusCurve, onStopped?: (why: string) => void): Promise<BusDevice> {
  const options = curve === undefined ? {} : curveServerOptions(curve.secretKey, BUS_ZAP_DOMAIN);
  const zap: ZapHandler | undefined = curve === undefined ? undefined : await startZapHandler(new Map([[BUS_ZAP_DOMAIN, curve.allowed]]), log.child({ bus: true }));
  let sockets: { xsub: XSubscriber; xpub: XPublisher };
  try {
    sockets = await bindBoth(inSpec, outSpec, options);
  } catch (error) {
    await zap?.close();
    throw error;
  }
  const bound = { in: sockets.xsub.lastEndpoint ?? inSpec, out: sockets.xpub.lastEndpoint ?? outSpec };
  let closing: Promise<void> | undefined;
  let proxy: Proxy;
  let running: Promise<void>;
  const interruptions: number[] = [];
  // A storm of interruptions says so once per window, with a count, not a line each.
  const interrupted = new RepeatThrottle(10_000, (why, count) => log.warn('bus device interrupted again: bound again each time', { why, count, withinSeconds: 10 }));

  function forward(): void {
    const current = new Proxy(sockets.xsub, sockets.xpub);
    proxy = current;
    forwarding.add(current);
    // Includes binding again after an interruption, so close() waits for that too.
    running = current.run().then(
      () => stopped(current, 'it ended'),
      (error: unknown) => stopped(current, describeError(error)),
    );
  }

  async function stopped(ended: Proxy, why: string): Promise<void> {
    forwarding.delete(ended);
    if (closing !== undefined) return;
    const now = Date.now();
    interruptions.push(now);
    while ((interruptions[0] ?? now) < now - INTERRUPTIONS_WINDOW_MS) interruptions.shift();
    if (interruptions.length > MAX_INTERRUPTIONS) return giveUp(`${why}; interrupted ${interruptions.length} times within ${INTERRUPTIONS_WINDOW_MS / 1000} s`);
    interrupted.seen(why, () => log.warn('bus device interrupted: binding it again', { why, ...bound }));
    closeSockets();
    // The sockets just closed may still hold their endpoints a moment (libzmq unbinds on its own
    // thread): a bind refused then is tried again a few times before giving up.
    for (let tries = 1; ; tries++) {
      if (closing !== undefined) return;
      try {
        sockets = await bindBoth(bound.in, bound.out, options);
        break;
      } catch (error) {
        // Closed meanwhile: nothing to bind again, nothing to report.
        if (closing !== undefined) return;
        if (tries >= REBIND_TRIES) return giveUp(`${why}; binding it again failed: ${describeError(error)}`);
        await new Promise((resolve) => setTimeout(resolve, REBIND_PAUSE_MS));
      }
    }
    // Closed while binding again: these sockets are the close's to see to.
    if (closing !== undefined) return closeSockets();
    forward();
  }

  function giveUp(why: string): void {
    closeSockets();
    log.error('bus device stopped', { why });
    onStopped?.(why);
  }

  function closeSockets(): void {
    if (!sockets.xsub.closed) sockets.xsub.close();
    if (!sockets.xpub.closed) sockets.xpub.close();
  }

  forward();
  log.info('bus device ready', { ...bound, curve: curve === undefined ? 'off' : 'on' });
  return {
    ...bound,
    spec: `${bound.in},${bound.out}`,
    close: () =>
      (closing ??= (async () => {
        interrupted.close();
        // One that ended by itself has closed its sockets already: terminating it again throws EBADF.
        if (forwarding.delete(proxy)) proxy.terminate();
        await running;
        closeSockets();
        await zap?.close();
      })()),
  };
}

// Binding again after an interruption: tries, and the pause between them.
const REBIND_TRIES = 5;
const REBIND_PAUSE_MS = 50;

// Interruptions past this many within the window are not a stray signal: the device gives up.
const MAX_INTERRUPTIONS = 1000;
const INTERRUPTIONS_WINDOW_MS = 60_000;

async function bindBoth(inSpec: string, outSpec: string, options: object): Promise<{ xsub: XSubscriber; xpub: XPublisher }> {
  const xsub = new XSubscriber({ ...options, linger: 0, receiveHighWaterMark: DEVICE_HWM });
  const xpub = new XPublisher({ ...options, linger: 0, sendHighWaterMark: DEVICE_HWM });
  try {
    await bind(xsub, inSpec, 'in');
    await bind(xpub, outSpec, 'out');
  } catch (error) {
    xsub.close();
    xpub.close();
    throw error;
  }
  return { xsub, xpub };
}

async function bind(socket: XSubscriber | XPublisher, spec: string, side: string): Promise<void> {
  try {
    await socket.bind(spec);
  } catch (error) {
    throw new BbsError('BBS_ERR_BUS_BIND', `m2bbs bus: cannot bind the bus's ${side} endpoint ${spec}: ${describeError(error)}`, { cause: error });
  }
}
