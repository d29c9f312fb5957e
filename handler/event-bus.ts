/**
 * The event bus between backends: chat lines, pages, presence and broadcasts. With a bus spec the
 * backend PUBlishes into the device's `in` (its XSUB) and SUBscribes to its `out` (its XPUB), and
 * every event, the publisher's own included, comes back through the device: one order for all.
 * Without one (a lone `m2bbs handler`) publishing loops back in-process. Delivery is at most once:
 * SQLite is the record, the bus only makes it fast.
 */
import { randomBytes } from 'node:crypto';
import { Publisher, Subscriber } from 'zeromq';
import { curveClientOptions } from '../common/curve-socket-options.js';
import type { HandlerCurve } from '../common/curve-flags.js';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { SendQueue } from '../common/send-queue.js';

/** Every topic on the bus: what a listener hears unless it says otherwise (a test, a sysop tool watching presence). */
export const BUS_TOPICS = ['chat/', 'page/', 'presence/', 'broadcast/'] as const;

/**
 * The topics a backend hears, taken as a whole at start and filtered locally (no per-join
 * subscription races): not `presence/`, which no backend reads (who's online is read from SQLite).
 * Subscribed, every activity change was forwarded by the device to every backend to be dropped
 * there: 7% of a core in the supervisor during the menu walk, 0% without (BENCHMARKS.md).
 */
export const BACKEND_TOPICS = ['chat/', 'page/', 'broadcast/'] as const;

/** The device's two endpoints: `in` (its XSUB, backends connect PUB) and `out` (its XPUB, backends connect SUB). */
export interface BusSpec {
  readonly in: string;
  readonly out: string;
}

/** A backend's side of the bus. */
export interface EventBus {
  /** Sends `body` (JSON) on `topic` (`chat/ROOM/`, `page/NAME/`, `presence/`, `broadcast/`); never blocks, may drop. */
  publish(topic: string, body: object): void;
  /** Calls `listener` with each event received; returns the function that stops it. */
  onEvent(listener: (topic: string, body: unknown) => void): () => void;
  /** Resolves once this backend's own probe came back through the device (its subscriptions are in place). */
  readonly connected: Promise<void>;
  close(): Promise<void>;
}

/** How a bus is made: through the device at `spec`, or local without one. */
export interface EventBusOptions {
  readonly spec?: BusSpec | undefined;
  readonly curve?: HandlerCurve | undefined;
  readonly log: Logger;
  /** The topics to hear (BUS_TOPICS unless given): none for a process that only publishes. */
  readonly topics?: readonly string[];
}

// What one backend lets pile up towards or from the device before dropping: a bounded buffer, so
// a slow device or a flood costs events, never memory.
const BUS_HWM = 10_000;
const PROBE_EVERY_MS = 50;
const PROBE_PREFIX = 'probe/';

/** Creates the bus: through the device when `spec` is given, else in-process. */
export function createEventBus(options: EventBusOptions): EventBus {
  return options.spec === undefined ? localBus(options.log) : deviceBus(options.spec, options.curve, options.log, options.topics ?? BUS_TOPICS);
}

/** Parses `IN,OUT` (`--bus`, M2BBS_BUS) into a spec, or says what is wrong with it. */
export function parseBusSpec(text: string): BusSpec | { problem: string } {
  const parts = text.split(',').map((part) => part.trim());
  const [inSpec, outSpec] = parts;
  if (parts.length !== 2 || inSpec === undefined || outSpec === undefined || inSpec === '' || outSpec === '') {
    return { problem: `expected two ZeroMQ endpoints IN,OUT (the bus device's XSUB and XPUB) like ipc:///run/m2bbs/bus.in,ipc:///run/m2bbs/bus.out, got "${text}"` };
  }
  return { in: inSpec, out: outSpec };
}

function listeners(log: Logger): { add(listener: (topic: string, body: unknown) => void): () => void; deliver(topic: string, body: unknown): void } {
  const all = new Set<(topic: string, body: unknown) => void>();
  return {
    add(listener) {
      all.add(listener);
      return () => void all.delete(listener);
    },
    deliver(topic, body) {
      for (const listener of all) {
        // One listener's bug costs that event for that listener only, never the bus.
        try {
          listener(topic, body);
        } catch (error) {
          log.error('bus event not handled', { topic, error: describeError(error) });
        }
      }
    },
  };
}

function localBus(log: Logger): EventBus {
  const subscribers = listeners(log);
  let closed = false;
  return {
    publish(topic, body) {
      if (closed) return;
      // A copy, as it would arrive from the device; delivered on a later turn, as from a socket, so
      // a listener that publishes never re-enters the publisher.
      const copy: unknown = JSON.parse(JSON.stringify(body));
      setImmediate(() => {
        if (!closed) subscribers.deliver(topic, copy);
      });
    },
    onEvent: subscribers.add,
    connected: Promise.resolve(),
    async close() {
      closed = true;
    },
  };
}

// One frame, topic then NUL then JSON: a SUB filters on the frame's first bytes, and one frame is
// one send (no multipart message half dropped at a high-water mark).
function busFrame(topic: string, body: object): Buffer {
  return Buffer.concat([Buffer.from(topic), Buffer.from([0]), Buffer.from(JSON.stringify(body))]);
}

function deviceBus(spec: BusSpec, curve: HandlerCurve | undefined, log: Logger, topics: readonly string[]): EventBus {
  const options = curveClientOptions(curve);
  const pub = new Publisher({ ...options, linger: 0, sendHighWaterMark: BUS_HWM });
  const sub = new Subscriber({ ...options, linger: 0, receiveHighWaterMark: BUS_HWM });
  const probeTopic = `${PROBE_PREFIX}${randomBytes(8).toString('hex')}/`;
  for (const topic of [...topics, probeTopic]) sub.subscribe(topic);
  pub.connect(spec.in);
  sub.connect(spec.out);
  const subscribers = listeners(log);
  const queue = new SendQueue(pub, Promise.resolve(), (error) => log.warn('bus event not sent', { error: describeError(error) }));
  let closed = false;
  let heard!: () => void;
  const connected = new Promise<void>((resolve) => (heard = resolve));
  let probing = true;
  // Until the device has this backend's subscriptions, and the device's XSUB has subscribed
  // upstream, what is published is dropped: the probe is sent again until it comes back.
  const probe = setInterval(() => queue.push(busFrame(probeTopic, {})), PROBE_EVERY_MS);
  queue.push(busFrame(probeTopic, {}));
  const receiving = (async () => {
    try {
      for await (const [frame] of sub) {
        if (frame === undefined) continue;
        const cut = frame.indexOf(0);
        if (cut < 0) continue;
        const topic = frame.subarray(0, cut).toString();
        if (topic.startsWith(PROBE_PREFIX)) {
          if (topic === probeTopic && probing) {
            probing = false;
            clearInterval(probe);
            log.debug('bus connected', { in: spec.in, out: spec.out });
            heard();
          }
          continue;
        }
        let body: unknown;
        try {
          body = JSON.parse(frame.subarray(cut + 1).toString());
        } catch {
          log.warn('malformed bus event dropped', { topic, bytes: frame.length });
          continue;
        }
        subscribers.deliver(topic, body);
      }
    } catch (error) {
      if (!sub.closed) log.error('bus receive loop failed', { error: describeError(error) });
    }
  })();
  return {
    publish(topic, body) {
      if (closed) return;
      queue.push(busFrame(topic, body));
    },
    onEvent: subscribers.add,
    connected,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(probe);
      await Promise.race([queue.drain(), new Promise((resolve) => setTimeout(resolve, 500))]);
      pub.close();
      sub.close();
      await receiving;
    },
  };
}
