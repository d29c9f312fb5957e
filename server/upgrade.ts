/**
 * What `m2bbs upgrade`, `drain` and `add` (and SIGHUP, SIGUSR2) do to the backends of a running
 * `m2bbs start`, one step at a time: a rolling upgrade replaces each number's backend by a new
 * process on new endpoints and lets the old one hand its callers over; a drain takes a number out;
 * an add brings one in. The supervisor supplies the processes and the proxy's links (`Fleet`).
 */
import type { BoundBackend } from '../common/child-channel.js';
import { BbsError } from '../common/errors.js';
import type { Logger } from '../common/log.js';

/** A local backend process of one generation of a number. */
export interface LiveBackend {
  readonly number: string;
  readonly generation: number;
  readonly spec: BoundBackend;
}

/** What a drained backend reported, or undefined for one that exited without a report. */
export type DrainReport = { readonly moved: number; readonly left: number; readonly ms: number } | undefined;

/** One local number as the supervisor holds it. */
export interface LocalNumber {
  readonly number: string;
  /** Its running generation, undefined once drained. */
  readonly live: LiveBackend | undefined;
  /** Its newest generation (1 at start), live or drained, and that generation's endpoints. */
  readonly newest: LiveBackend;
}

/** The supervisor's side of an upgrade: the processes it runs and the links of its proxy. */
export interface Fleet {
  /** Every local number, in dial order. */
  locals(): readonly LocalNumber[];
  /** Every number the proxy has a link for, local or on another host. */
  allNumbers(): readonly string[];
  /** Endpoints for the proxy to bind for `generation` of `number`. */
  endpointsFor(number: string, generation: number): BoundBackend;
  /** Asks the proxy for a new link; resolves with the endpoints it bound. */
  addLink(spec: BoundBackend): Promise<BoundBackend>;
  /** Starts the backend of `generation` of `number` on `spec`; resolves once the proxy sees it connected, throws why it could not start (then it is not restarted). */
  launch(number: string, generation: number, spec: BoundBackend): Promise<LiveBackend>;
  drainLink(sendSpec: string): void;
  removeLink(sendSpec: string): void;
  /**
   * Drains `backend` (SIGTERM): `begun` once it drains (or has exited), `exited` with its report
   * once it has exited; it is not restarted. `waits` hears each time the proxy says callers wait for a free line.
   */
  retire(backend: LiveBackend, waits?: (waiting: number) => void): { readonly begun: Promise<void>; readonly exited: Promise<DrainReport> };
  /** Removes the endpoint files of a link that is gone (ipc sockets). */
  removeEndpoints(spec: BoundBackend): void;
}

/** A progress line for the sysop's command. */
export type Progress = (line: { readonly progress: string } & Readonly<Record<string, unknown>>) => void;

/** One number's upgrade as reported: callers moved and left, and how long the step took. */
export interface UpgradeResult {
  readonly backend: string;
  readonly moved: number;
  readonly left: number;
  readonly ms: number;
  /** True when the old backend exited without its report (it died or was killed while draining): moved and left are then unknown. */
  readonly unreported?: true;
}

/** What the backends of this BBS run with that decides whether they can be drained at all. */
export interface OrchestratorOptions {
  /** Their --journal: without one a backend stops at once on SIGTERM and its callers are cut off. */
  readonly journal: boolean;
  /** Local numbers running at once at most (--max-backends): an add past it is refused. */
  readonly maxBackends: number;
}

/** The upgrade, drain and add of one running BBS, one at a time. */
export interface Orchestrator {
  upgrade(numbers: readonly string[], progress: Progress): Promise<readonly UpgradeResult[]>;
  drain(number: string, progress: Progress): Promise<UpgradeResult>;
  add(number: string | undefined, progress: Progress): Promise<BoundBackend>;
}

const NUMBER = /^bbs\.(\d+)$/;

function failed(message: string): BbsError {
  return new BbsError('BBS_ERR_CONTROL_FAILED', message);
}

/** An orchestrator for `fleet`, logging to `log`. */
export function createOrchestrator(fleet: Fleet, log: Logger, options: OrchestratorOptions): Orchestrator {
  // A backend without a journal has nothing to hand a caller over with: SIGTERM stops it at once
  // and the proxy hangs up every call it carried. Refused before anything changes.
  const needJournal = (what: string, numbers: readonly string[]): void => {
    if (options.journal) return;
    throw failed(
      `refused under --journal off: a backend without a journal stops at once, so every caller on ${numbers.join(', ')} would be cut off (NO CARRIER). ` +
        `To ${what} without dropping anyone, run m2bbs start with --journal on (the default); to restart anyway, stop and start the BBS`,
    );
  };
  // Two steps at once would race for the same number's generations and the proxy's dial order.
  // A new number is the exception: it touches no number there is, and it is what a drain waiting
  // for a free line needs, so adds queue only behind each other (two would pick the same name).
  const steps = serialQueue();
  const adds = serialQueue();
  // Numbers a drain is working on now: told at once to a command that would only wait behind it.
  const beingDrained = new Set<string>();
  const lastNumberProblem = (number: string): string | undefined => {
    // Its callers need a line elsewhere to move to: with none left they would wait out the drain
    // time limit and then be cut off. A number being drained is no line to move to.
    const others = fleet.locals().filter((other) => other.live !== undefined && other.number !== number && !beingDrained.has(other.number));
    const remote = fleet.allNumbers().filter((name) => !fleet.locals().some((other) => other.number === name));
    if (others.length > 0 || remote.length > 0) return undefined;
    return `refused: ${number} is the last number running, so its callers would have nowhere to move and new callers no line; m2bbs add starts another number first`;
  };
  const refuseAtOnce = (why: string | undefined): Promise<never> | undefined => (why === undefined ? undefined : Promise.reject(failed(why)));
  const running = (): number => fleet.locals().filter((n) => n.live !== undefined).length;
  const roomForOne = (what: string): void => {
    if (running() < options.maxBackends) return;
    throw failed(`refused: ${what} would make ${running() + 1} backends, past this BBS's --max-backends (${options.maxBackends}, M2BBS_MAX_BACKENDS); m2bbs drain one first, or start the BBS with a higher --max-backends`);
  };
  const local = (number: string): LocalNumber => {
    const found = fleet.locals().find((n) => n.number === number);
    if (found !== undefined) return found;
    const remote = fleet.allNumbers().includes(number);
    throw failed(remote ? `${number} runs on another host; only numbers m2bbs start runs itself can be changed here` : `${number} is not a number of this BBS (it has ${fleet.allNumbers().join(', ')})`);
  };

  async function upgradeOne(n: LocalNumber, progress: Progress): Promise<UpgradeResult> {
    const old = n.live;
    if (old === undefined) throw failed(`${n.number} is drained; m2bbs add ${n.number} starts it again`);
    const started = Date.now();
    const generation = n.newest.generation + 1;
    // No generation number here: the directory's counts the proxy's links since it started (a
    // restarted proxy counts again), so the two would disagree; the log keeps this one.
    progress({ progress: `${n.number}: starting the new backend`, backend: n.number });
    let bound: BoundBackend;
    try {
      bound = await fleet.addLink(fleet.endpointsFor(n.number, generation));
    } catch (error) {
      throw failed(`${n.number}: the proxy could not bind the new backend's endpoints (${(error as Error).message}); the old backend goes on serving`);
    }
    try {
      await fleet.launch(n.number, generation, bound);
    } catch (error) {
      fleet.removeLink(bound.sendSpec);
      fleet.removeEndpoints(bound);
      log.error('backend upgrade failed', { backend: n.number, why: (error as Error).message });
      // The why may be several lines (every problem of a screens folder): it goes last.
      throw failed(`${n.number}: the new backend did not start; the old backend goes on serving its callers. Why: ${(error as Error).message}`);
    }
    progress({ progress: `${n.number}: new backend up; moving callers off the old one`, backend: n.number });
    const report = await drainThenExit(fleet, old, progress);
    fleet.removeLink(old.spec.sendSpec);
    fleet.removeEndpoints(old.spec);
    const result = resultOf(n.number, report, started);
    log.info('backend upgraded', { ...result, generation });
    progress({ progress: `${n.number} upgraded: ${said(result)}`, ...result });
    return result;
  }

  return {
    upgrade: (numbers, progress) =>
      steps.run(['upgrade', ...numbers].join(' '), progress, async () => {
        // Checked before anything changes: a typo must not upgrade half the board.
        const chosen = numbers.length === 0 ? fleet.locals().filter((n) => n.live !== undefined) : [...new Set(numbers)].map(local);
        if (chosen.length === 0) throw failed('no backend runs here to upgrade');
        const drained = chosen.find((n) => n.live === undefined);
        if (drained !== undefined) throw failed(`${drained.number} is drained; m2bbs add ${drained.number} starts it again`);
        needJournal('upgrade', chosen.map((n) => n.number));
        const results: UpgradeResult[] = [];
        for (const n of chosen) results.push(await upgradeOne(local(n.number), progress));
        return results;
      }),
    drain: (number, progress) =>
      refuseAtOnce(beingDrained.has(number) ? `${number} is being drained now` : lastNumberProblem(number)) ??
      steps.run(`drain ${number}`, progress, async () => {
        const n = local(number);
        if (n.live === undefined) throw failed(`${number} is already drained`);
        needJournal('drain', [number]);
        const last = lastNumberProblem(number);
        if (last !== undefined) throw failed(last);
        const started = Date.now();
        progress({ progress: `${number}: draining (no new calls; its callers move at their next prompt)`, backend: number });
        beingDrained.add(number);
        try {
          const report = await drainThenExit(fleet, n.live, progress);
          const result = resultOf(number, report, started);
          log.info('backend drained', { ...result });
          return result;
        } finally {
          beingDrained.delete(number);
        }
      }),
    add: (number, progress) =>
      refuseAtOnce(number !== undefined && beingDrained.has(number) ? `${number} is being drained now; once that is over, m2bbs add ${number} starts it again (m2bbs add with no number adds a new one at once, a line its waiting callers can move to)` : undefined) ??
      (number === undefined ? adds : steps).run(number === undefined ? 'add' : `add ${number}`, progress, async () => {
        if (number !== undefined) {
          const n = local(number);
          if (n.live !== undefined) throw failed(`${number} is already running`);
          roomForOne(`starting ${number} again`);
          progress({ progress: `${number}: starting it again on its endpoints`, backend: number });
          await fleet.launch(number, n.newest.generation, n.newest.spec).catch((error: unknown) => {
            throw failed(`${number} did not start (${(error as Error).message})`);
          });
          log.info('backend added', { backend: number });
          return n.newest.spec;
        }
        const next = `bbs.${Math.max(9, ...fleet.allNumbers().map((name) => Number(NUMBER.exec(name)?.[1] ?? 0))) + 1}`;
        roomForOne(`adding ${next}`);
        progress({ progress: `${next}: starting a new number`, backend: next });
        let bound: BoundBackend;
        try {
          bound = await fleet.addLink(fleet.endpointsFor(next, 1));
        } catch (error) {
          throw failed(`${next}: the proxy could not bind its endpoints (${(error as Error).message})`);
        }
        try {
          await fleet.launch(next, 1, bound);
        } catch (error) {
          fleet.removeLink(bound.sendSpec);
          fleet.removeEndpoints(bound);
          throw failed(`${next} did not start (${(error as Error).message})`);
        }
        log.info('backend added', { backend: next });
        return bound;
      }),
  };
}

// Tasks run one after the other; one that must wait says at once what for (else the sysop's
// command sits silent behind, say, a drain that waits for a free line).
function serialQueue(): { run<T>(label: string, progress: Progress, task: () => Promise<T>): Promise<T> } {
  let queue: Promise<unknown> = Promise.resolve();
  let current: string | undefined;
  return {
    run(label, progress, task) {
      if (current !== undefined) progress({ progress: `waiting for \`${current}\` to finish`, waitingFor: current });
      const step = () => {
        current = label;
        return task().finally(() => (current = undefined));
      };
      const next = queue.then(step, step);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

// The backend is signalled first and the proxy told once the backend drains: the backend counts
// the callers moved off it from then on, and the proxy hands idle callers off as soon as it hears
// drain-link. A call dialled in between is answered busy by the draining backend and dialled elsewhere.
async function drainThenExit(fleet: Fleet, backend: LiveBackend, progress: Progress): Promise<DrainReport> {
  const { begun, exited } = fleet.retire(backend, (waiting) => {
    progress({ progress: `${backend.number}: ${waiting} caller${waiting === 1 ? '' : 's'} wait${waiting === 1 ? 's' : ''}: no free line on another number; they move when one frees (m2bbs add brings one more)`, backend: backend.number, waiting });
  });
  await begun;
  fleet.drainLink(backend.spec.sendSpec);
  return exited;
}

function resultOf(backend: string, report: DrainReport, started: number): UpgradeResult {
  const ms = Date.now() - started;
  return report === undefined ? { backend, moved: 0, left: 0, ms, unreported: true } : { backend, moved: report.moved, left: report.left, ms };
}

/** "3 callers moved, 0 left, in 1.2 s", or that the old backend exited without saying. */
export function said(result: UpgradeResult): string {
  const seconds = `in ${(result.ms / 1000).toFixed(1)} s`;
  if (result.unreported === true) return `the old backend exited without a report (it died or was killed while draining; its callers were taken over as on a death), ${seconds}`;
  return `${result.moved} caller${result.moved === 1 ? '' : 's'} moved, ${result.left} left, ${seconds}`;
}
