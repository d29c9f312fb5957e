/**
 * The supervisor's requests to its proxy that are answered later: an `add-link` (answered
 * `link-added` or `link-failed`) and the wait for a link's first backend process (`backend-connected`).
 */
import type { BoundBackend, ChildMessage, SupervisorMessage } from '../common/child-channel.js';

const ANSWER_MS = 10_000;

/** Pending add-link requests and connection waits, fed the proxy's messages. */
export interface LinkRequests {
  /** Sends an add-link with `tell` and resolves with the endpoints the proxy bound. */
  addLink(tell: (message: SupervisorMessage) => void, spec: BoundBackend): Promise<BoundBackend>;
  /** Resolves at the next `backend-connected` for `sendSpec` (from now on, not one seen before). */
  connected(sendSpec: string): { readonly promise: Promise<void>; cancel(): void };
  /** Takes a message of the proxy; true when it was an answer to one of these. */
  heard(message: ChildMessage): boolean;
  /** The proxy went: every add-link still waiting fails with `why`. */
  proxyGone(why: string): void;
}

/** An empty set of requests. */
export function linkRequests(): LinkRequests {
  let nextRequest = 1;
  const pending = new Map<number, { resolve(b: BoundBackend): void; reject(e: Error): void }>();
  const waits = new Map<string, Set<() => void>>();
  return {
    addLink(tell, spec) {
      const request = nextRequest++;
      return new Promise((resolve, reject) => {
        // A proxy that never answers (busy, or older and not knowing add-link) must not hold the sysop's command for ever.
        const timer = setTimeout(() => {
          pending.delete(request);
          reject(new Error(`the proxy did not answer within ${ANSWER_MS / 1000} s`));
        }, ANSWER_MS);
        const settle = <T>(then: (value: T) => void) => (value: T): void => {
          clearTimeout(timer);
          then(value);
        };
        pending.set(request, { resolve: settle(resolve), reject: settle(reject) });
        tell({ type: 'add-link', request, number: spec.number, sendSpec: spec.sendSpec, recvSpec: spec.recvSpec });
      });
    },
    connected(sendSpec) {
      let done!: () => void;
      const promise = new Promise<void>((resolve) => (done = resolve));
      const set = waits.get(sendSpec) ?? new Set();
      waits.set(sendSpec, set.add(done));
      return { promise, cancel: () => set.delete(done) };
    },
    heard(message) {
      if (message.type === 'link-added' || message.type === 'link-failed') {
        const waiting = pending.get(message.request);
        pending.delete(message.request);
        if (message.type === 'link-added') waiting?.resolve(message.backend);
        else waiting?.reject(new Error(message.message));
        return true;
      }
      if (message.type === 'backend-connected') {
        const set = waits.get(message.sendSpec);
        waits.delete(message.sendSpec);
        for (const done of set ?? []) done();
      }
      return false;
    },
    proxyGone(why) {
      for (const waiting of pending.values()) waiting.reject(new Error(why));
      pending.clear();
    },
  };
}
