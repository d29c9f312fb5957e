/**
 * The supervisor's backends as the upgrade sees them (server/upgrade.ts's `Fleet`): each local
 * number's generations, the proxy's links, and how a generation is launched, proven and retired.
 */
import type { BoundBackend, SupervisorMessage } from '../common/child-channel.js';
import type { LinkRequests } from './link-requests.js';
import type { StartEndpoints } from './start-endpoints.js';
import type { SupervisedChild } from './supervised-child.js';
import type { DrainReport, Fleet, LiveBackend } from './upgrade.js';

/**
 * One backend process's generation of a number, as the supervisor runs it: restarted when it dies
 * unless it was retired (replaced by a newer generation, or drained) or is still on trial (not yet up).
 */
export interface Generation extends LiveBackend {
  child: SupervisedChild | undefined;
  retired: boolean;
  trial: ((why: string) => void) | undefined;
  drained: DrainReport;
  /** Called when the backend says it has begun to drain. */
  begun?: () => void;
  /** Called when the proxy says callers of this draining generation wait for a free line elsewhere. */
  waits?: (waiting: number) => void;
}

/** A generation not started yet. */
export function newGeneration(spec: BoundBackend, generation: number): Generation {
  return { number: spec.number, generation, spec, child: undefined, retired: false, trial: undefined, drained: undefined };
}

// How long a new generation may take to connect before the upgrade gives up on it.
const LAUNCH_MS = 30_000;
// How long past its own drain time limit a draining backend may take to exit before it is killed.
const STUCK_GRACE_MS = 30_000;

/** What the fleet works on: the supervisor's own state and its way to start a backend. */
export interface FleetState {
  readonly generations: Map<string, Generation[]>;
  /** The proxy's links as bound, in order: what a restarted proxy is given. */
  readonly links: { get(): readonly BoundBackend[]; set(links: BoundBackend[]): void };
  /** Tells the proxy, while there is one. */
  tell(message: SupervisorMessage): void;
  readonly requests: LinkRequests;
  readonly endpoints: Pick<StartEndpoints, 'specFor' | 'removeSpec'>;
  /** Starts (and keeps restarting, unless retired or on trial) the backend process of `g`. */
  start(g: Generation): void;
  /** The backends' drain time limit (--drain-timeout-ms as they are given it). */
  readonly drainLimitMs: number;
  /** Says that a draining backend of `number` did not exit within `ms` and is being killed. */
  stuck(number: string, ms: number): void;
}

/** The Fleet over the supervisor's `state`. */
export function supervisorFleet(state: FleetState): Fleet {
  return {
    locals: () =>
      [...state.generations.entries()].map(([number, list]) => {
        const newest = list[list.length - 1] as Generation;
        return { number, live: list.find((g) => !g.retired), newest };
      }),
    allNumbers: () => [...new Set(state.links.get().map((b) => b.number))],
    endpointsFor: (number, generation) => state.endpoints.specFor(number, generation),
    addLink: (spec) =>
      state.requests.addLink(state.tell, spec).then((bound) => {
        state.links.set([...state.links.get(), bound]);
        return bound;
      }),
    launch: (number, generation, spec) =>
      new Promise<LiveBackend>((resolve, reject) => {
        const g = newGeneration(spec, generation);
        // A drained number started again on its endpoints is the same generation, in its old place;
        // if it fails, the drained one goes back there, so the number stays this BBS's to add again.
        const list = state.generations.get(number) ?? [];
        const same = list.findIndex((other) => other.spec.sendSpec === spec.sendSpec);
        const replaced = same >= 0 ? list[same] : undefined;
        const up = state.requests.connected(spec.sendSpec);
        const timer = setTimeout(() => g.trial?.(`it did not connect within ${LAUNCH_MS / 1000} s`), LAUNCH_MS);
        g.trial = (why) => {
          clearTimeout(timer);
          up.cancel();
          g.trial = undefined;
          g.retired = true;
          g.child?.signal('SIGKILL');
          const now = state.generations.get(number) ?? [];
          const kept = replaced === undefined ? now.filter((other) => other !== g) : now.map((other) => (other === g ? replaced : other));
          if (kept.length === 0) state.generations.delete(number);
          else state.generations.set(number, kept);
          reject(new Error(why));
        };
        void up.promise.then(() => {
          clearTimeout(timer);
          g.trial = undefined;
          resolve(g);
        });
        if (same >= 0) list.splice(same, 1, g);
        state.start(g);
      }),
    drainLink: (sendSpec) => state.tell({ type: 'drain-link', sendSpec }),
    removeLink: (sendSpec) => {
      state.links.set(state.links.get().filter((b) => b.sendSpec !== sendSpec));
      state.tell({ type: 'remove-link', sendSpec });
    },
    retire: (backend, waits) => {
      const g = state.generations.get(backend.number)?.find((other) => other.spec.sendSpec === backend.spec.sendSpec && !other.retired);
      const child = g?.child;
      if (g !== undefined) {
        g.retired = true;
        if (waits !== undefined) g.waits = waits;
      }
      if (g === undefined || child === undefined) return { begun: Promise.resolve(), exited: Promise.resolve(undefined) };
      // SIGTERM is a drain for a backend; it exits by itself after its own --drain-timeout-ms. One
      // that has not some time after that (stopped, a stuck disk) is killed, so an upgrade cannot
      // hang for ever; its callers are then moved as on any death.
      const stuck = setTimeout(() => {
        state.stuck(g.number, state.drainLimitMs + STUCK_GRACE_MS);
        child.signal('SIGKILL');
      }, state.drainLimitMs + STUCK_GRACE_MS);
      const exited = child.exited.then(() => {
        clearTimeout(stuck);
        return g.drained;
      });
      const begun = Promise.race([new Promise<void>((resolve) => (g.begun = resolve)), exited.then(() => undefined)]);
      child.signal('SIGTERM');
      return { begun, exited };
    },
    removeEndpoints: (spec) => {
      state.endpoints.removeSpec(spec);
      // Only the newest generation of each number is kept once an older one is gone.
      const list = state.generations.get(spec.number);
      if (list !== undefined) state.generations.set(spec.number, list.filter((g) => g.spec.sendSpec !== spec.sendSpec || g === list[list.length - 1]));
    },
  };
}
