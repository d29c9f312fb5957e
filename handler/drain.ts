/**
 * A backend's drain (SIGTERM with the journal on): it takes no new conversation and no takeover
 * (the engine answers busy), tells its proxy it is draining at once and every second (so the
 * proxy moves its callers at their next prompt, and a restarted proxy learns it too), and ends
 * once it holds no call the proxy can move, when no proxy listens any more (nobody is left to
 * move them: the proxy stopped), or when the time limit comes.
 */
import type { Logger } from '../common/log.js';
import type { Engine } from './engine.js';

/** How often the draining notice is repeated while draining. */
const DRAIN_NOTICE_EVERY_MS = 1000;

/** What a drain did: calls moved away (detached by the proxy), calls still held at the end, and how long it took. */
export interface DrainResult {
  readonly moved: number;
  readonly left: number;
  readonly ms: number;
}

export interface DrainOptions {
  readonly engine: Engine;
  readonly log: Logger;
  /** Past this, the drain ends with callers still held (they are taken over as on a death). */
  readonly timeoutMs: number;
  /** Sends the draining notice, with the calls still held, to the proxy. */
  readonly announce: (callers: number) => void;
  /** True while a proxy listens: once none does, nobody is left to move the calls, and the drain ends. */
  readonly heard: () => boolean;
  readonly now?: () => number;
}

export interface Drain {
  /** Resolves when the drain is over: nothing left to hand off, or the time limit came. */
  readonly done: Promise<DrainResult>;
  /** Stops the notices and timers (a stop at once overtook the drain). */
  cancel(): void;
  /** Looks again whether the drain is over (the proxy went away). */
  check(): void;
}

/** Starts draining `engine`; the caller closes the backend once `done` resolves. */
export function startDrain(options: DrainOptions): Drain {
  const { engine, log, announce } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const detachedBefore = engine.detached;
  let over = false;
  let finish!: (result: DrainResult) => void;
  const done = new Promise<DrainResult>((resolve) => (finish = resolve));

  const end = (why: 'empty' | 'time limit' | 'no proxy'): void => {
    if (over) return;
    cancel();
    const result = { moved: engine.detached - detachedBefore, left: engine.heldForProxy, ms: now() - started };
    log.info('drained', { ...result, why });
    finish(result);
  };
  // Sessions go inside the engine's own receive: the check waits until that has returned.
  const check = (): void => {
    if (over) return;
    if (engine.heldForProxy === 0) setImmediate(() => end('empty'));
    else if (!options.heard()) setImmediate(() => end('no proxy'));
  };
  const notices = setInterval(() => announce(engine.heldForProxy), DRAIN_NOTICE_EVERY_MS).unref();
  const limit = setTimeout(() => end('time limit'), options.timeoutMs).unref();
  function cancel(): void {
    over = true;
    clearInterval(notices);
    clearTimeout(limit);
  }

  engine.drain(check);
  log.info('draining', { callers: engine.heldForProxy, live: engine.liveSessions, timeoutMs: options.timeoutMs });
  announce(engine.heldForProxy);
  check();
  return { done, cancel, check };
}
