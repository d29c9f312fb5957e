/**
 * `m2bbs start`: runs the proxy and N backends as child processes on one SQLite file, says where
 * to connect once all are up, restarts any of them that dies, and stops them all when asked.
 */
import type { BoundAddress, BoundBackend, ChildMessage } from '../common/child-channel.js';
import { backendFlag, defaultBackend } from '../common/backend-defaults.js';
import { hostPort } from '../common/host-port.js';
import type { Logger } from '../common/log.js';
import { describeError, isBbsError } from '../common/errors.js';
import { linkRequests } from './link-requests.js';
import type { BusSpec } from '../handler/event-bus.js';
import { startBusFor } from './start-bus.js';
import type { LogOutput } from './log-view.js';
import { backendArgs, type StartConfig } from './start-config.js';
import { startEndpoints } from './start-endpoints.js';
import { runChild, type SupervisedChild } from './supervised-child.js';
import { newGeneration, supervisorFleet, type Generation } from './supervisor-fleet.js';
import { createOrchestrator, type Orchestrator } from './upgrade.js';

/** The running BBS as `m2bbs start` holds it. */
export interface Supervisor {
  /** Resolves once the proxy and every backend said they are ready, with the proxy's addresses. */
  readonly ready: Promise<{ readonly http: string; readonly telnet: string }>;
  /** Resolves, with the one line to show, when the BBS cannot go on (the proxy cannot be (re)started). */
  readonly failed: Promise<string>;
  /** The private 0700 folder of this BBS (endpoints, keys, the control socket). */
  readonly folder: string;
  /** Rolling upgrades, drains and added numbers (usable once `ready` resolved). */
  readonly orchestrator: Orchestrator;
  /** How another part of `m2bbs start` joins the event bus: the device's endpoints, and the local backends' CURVE flags under --zmq curve. */
  busClient(): Promise<{ readonly spec: BusSpec; readonly curveArgs: readonly string[] }>;
  /** Stops the proxy first (it tells callers), then the backends. */
  stop(): Promise<void>;
  /** Kills everything at once. */
  kill(): void;
}

// A run shorter than this counts as a quick failure; the wait after one doubles from 0.5 s to 10 s
// (a backend's from --restart-delay-ms to --max-restart-delay-ms).
const QUICK_MS = 30_000;
// A proxy that fails this many times in a row, each soon after starting, is not coming back.
const PROXY_TRIES = 5;

// The time limit the backends drain within: the flag start passes on, else their environment's, else theirs by default.
function drainLimitMs(backendFlags: readonly string[], env: NodeJS.ProcessEnv): number {
  const at = backendFlags.indexOf('--drain-timeout-ms');
  const given = at >= 0 ? backendFlags[at + 1] : env.M2BBS_DRAIN_TIMEOUT_MS;
  const ms = Number(given);
  return given !== undefined && given !== '' && Number.isFinite(ms) ? ms : 60_000;
}

// Whether the backends journal: the flag start passes on, else their environment's, else on (their default).
function journalOn(backendFlags: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const at = backendFlags.indexOf('--journal');
  return (at >= 0 ? backendFlags[at + 1] : env.M2BBS_JOURNAL) !== 'off';
}

function restartDelayMs(quickFailures: number, first = 500, max = 10_000): number {
  return Math.min(first * 2 ** (quickFailures - 1), max);
}

/** Starts the proxy and backends described by `config`, their log lines to `output`, each backend with `backendEnv`. */
export function startSupervisor(config: StartConfig, log: Logger, output: LogOutput, backendEnv: NodeJS.ProcessEnv): Supervisor {
  // The first proxy binds every backend's endpoints (ipc sockets in a private folder, or tcp ports
  // the system picks) and says which; a restarted proxy binds those same endpoints (every link,
  // generations in order) and front ports, so running backends reconnect by themselves.
  const numbers = Array.from({ length: config.backends }, (_, i) => defaultBackend(i).number);
  // Made here, before any child, because both the first proxy and every backend need the same
  // endpoints, and the folder must be made before a proxy can claim it (and removed by whoever stops last).
  const endpoints = startEndpoints(config.zmq, numbers, config.remote.curveArgs);
  // The event bus outlives proxy and backend restarts: it is the supervisor's, bound before any child.
  // A bus that stops leaves chat, paging and who's online silently dead: the BBS stops, saying so.
  const bus = startBusFor(config.zmq, endpoints.folder, log, endpoints.busKeys, (why) => giveUp(`m2bbs: the event bus stopped (${why}): chat, paging and who's online cannot work without it; stopping the BBS.`));
  let busArgs: string[] = [];
  let stopping = false;
  // True once the banner could be printed: every backend has connected once.
  let isUp = false;
  let reportFailure!: (line: string) => void;
  const failed = new Promise<string>((resolve) => (reportFailure = resolve));
  const giveUp = (line: string): void => {
    if (!stopping) reportFailure(line);
  };
  const connectedOnce = new Map<string, () => void>();
  const connected = numbers.map((n) => new Promise<void>((resolve) => connectedOnce.set(n, resolve)));
  let reportReady!: (where: { front: BoundAddress; telnet: BoundAddress }) => void;
  const proxyReady = new Promise<{ front: BoundAddress; telnet: BoundAddress }>((resolve) => (reportReady = resolve));
  // Set by the first proxy's ready message: where every later proxy listens.
  let front: { readonly listen: string; readonly telnet: string } | undefined;
  // The proxy's links as bound, in order (generations of a number oldest first): a restarted proxy gets them all.
  let links: BoundBackend[] = [];
  // Every local number's generations, newest last.
  const generations = new Map<string, Generation[]>();
  const requests = linkRequests();
  let proxy: SupervisedChild | undefined;
  // Every child running, for kill(); a child leaves it when it exits, so a number retried for
  // days does not make it grow. Restart timers are kept referenced: when every child is dead at
  // once they are what keeps `m2bbs start` alive to bring the BBS back.
  const all = new Set<SupervisedChild>();
  const common = ['--log-level', config.logLevel];
  // The backends are m2bbs's own, so requests to them may go batched.
  // The proxy lets a handed-off call wait for a free line as long as its backend may drain.
  const proxyFlags = ['--lines', String(config.maxCallers), '--batch-requests', '--drain-timeout-ms', String(drainLimitMs(config.backendFlags, backendEnv)), ...config.proxyFlags, ...common];
  // Backends outlive a proxy that dies: the next one waits for them before opening its doors.
  const restartFlags = ['--await-backends-ms', '5000'];

  function startProxy(failures: number): void {
    const started = Date.now();
    let failure: string | undefined;
    const backends = front === undefined ? [...endpoints.specs, ...config.remote.specs] : links;
    const args = ['--listen', front?.listen ?? config.listen, '--telnet', front?.telnet ?? config.telnet, ...backends.flatMap((b) => ['--backend', backendFlag(b)]), ...endpoints.proxyArgs];
    const child = runChild('proxy', ['proxy', ...args, ...proxyFlags, ...(front === undefined ? [] : restartFlags)], { log: output.sink('proxy'), supervisor: log }, {
      message(m: ChildMessage) {
        if (requests.heard(m)) return;
        if (m.type === 'failed') failure = m.message;
        else if (m.type === 'backend-connected') connectedOnce.get(m.backend)?.();
        else if (m.type === 'drain-waits') [...generations.values()].flat().find((g) => g.spec.sendSpec === m.sendSpec)?.waits?.(m.waiting);
        else if (m.type !== 'proxy-ready') return;
        else if (front === undefined) {
          front = { listen: hostPort(m.front), telnet: hostPort(m.telnet) };
          links = [...m.backends];
          // A remote number's backend runs on its own host and attaches when it will.
          for (const b of m.backends) if (numbers.includes(b.number)) startBackend(newGeneration(b, 1), 0);
          reportReady(m);
        } else log.info('proxy back', { tries: failures });
      },
      closed(code, signal) {
        all.delete(child);
        requests.proxyGone('the proxy exited');
        if (stopping) return;
        // Its callers are gone with it: the backends free their lines for the callers of the next one.
        for (const g of live()) g.child?.tell({ type: 'proxy-gone' });
        // At the first start a proxy that says why it cannot start (a port taken) will not start by
        // trying again. Once the BBS was up, its port may be free again in a moment: retry.
        if (front === undefined) return giveUp(failure ?? `m2bbs: the proxy stopped before it was ready (exit code ${code}, signal ${signal}); see the lines above.`);
        const quick = Date.now() - started < QUICK_MS ? failures + 1 : 1;
        if (quick >= PROXY_TRIES) return giveUp(failure ?? `m2bbs: the proxy stopped ${quick} times in a row soon after starting; see the lines above.`);
        const delayMs = restartDelayMs(quick);
        if (failure !== undefined) log.error('proxy could not start; trying again', { why: failure, restartInMs: delayMs });
        else log.warn('proxy exited; restarting', { code, signal, restartInMs: delayMs });
        setTimeout(() => {
          if (!stopping) startProxy(quick);
        }, delayMs);
      },
    });
    proxy = child;
    all.add(child);
  }

  function live(): Generation[] {
    return [...generations.values()].flat().filter((g) => !g.retired);
  }

  // A backend that exits unexpectedly is restarted on the same endpoints, waiting longer after
  // each quick failure, and from scratch once it has run for 30 s.
  function startBackend(g: Generation, failures: number): void {
    const list = generations.get(g.number) ?? [];
    if (!list.includes(g)) generations.set(g.number, [...list, g]);
    const args = backendArgs(config, g.spec);
    const started = Date.now();
    let failure: string | undefined;
    const handler = runChild(g.number, [...(config.screens === undefined ? args : [...args, '--screens', config.screens]), ...endpoints.backendArgs, ...busArgs, ...common], { log: output.sink(g.number), supervisor: log }, {
      message(m: ChildMessage) {
        if (m.type === 'failed') failure = m.message;
        else if (m.type === 'draining') g.begun?.();
        else if (m.type === 'drained') g.drained = { moved: m.moved, left: m.left, ms: m.ms };
      },
      closed(code, signal) {
        all.delete(handler);
        if (g.child === handler) g.child = undefined;
        if (stopping || g.retired) return;
        if (g.trial !== undefined) return g.trial(failure ?? `it exited (exit code ${code}, signal ${signal}) before connecting`);
        // Drained by a sysop's own SIGTERM (not by m2bbs drain or upgrade, which retire it first):
        // out of rotation as asked, as after m2bbs drain, not a crash to restart.
        if (g.drained !== undefined && code === 0) {
          g.retired = true;
          log.info('backend drained by SIGTERM: not restarted (m2bbs add starts it again)', { backend: g.number, ...g.drained });
          return;
        }
        // Before the banner nobody is on yet and trying again changes nothing (bad screens, a
        // missing database): say why and stop. Later the other numbers still serve callers and a
        // sysop may mend the cause, so this one keeps being retried, saying why each time.
        if (failure !== undefined && !isUp) return giveUp(failure);
        const quick = Date.now() - started < QUICK_MS ? failures + 1 : 1;
        const delayMs = restartDelayMs(quick, config.restartDelayMs.first, config.restartDelayMs.max);
        if (failure !== undefined) log.error('backend could not start; trying again', { backend: g.number, why: failure, restartInMs: delayMs });
        else log.warn('backend exited; restarting', { backend: g.number, code, signal, restartInMs: delayMs });
        setTimeout(() => {
          if (!stopping && !g.retired) startBackend(g, quick);
        }, delayMs);
      },
    }, backendEnv);
    g.child = handler;
    all.add(handler);
  }

  const fleet = supervisorFleet({
    generations,
    links: { get: () => links, set: (next) => (links = next) },
    tell: (message) => proxy?.tell(message),
    requests,
    endpoints,
    start: (g) => startBackend(g, 0),
    drainLimitMs: drainLimitMs(config.backendFlags, backendEnv),
    stuck: (number, ms) => log.error('draining backend did not exit; killing it', { backend: number, ms }),
  });

  void bus.then(
    (device) => {
      busArgs = ['--bus', device.spec];
      if (!stopping) startProxy(0);
    },
    (error: unknown) => giveUp(isBbsError(error) && error.expose ? error.message : `m2bbs: the event bus could not start: ${describeError(error)}`),
  );
  const closeBus = (): Promise<void> => bus.then((device) => device.close(), () => undefined);
  const ready = proxyReady.then(async (where) => {
    // Up means the proxy sees each backend connected, so the first caller finds a line.
    await Promise.all(connected);
    isUp = true;
    return { http: `http://${hostPort(where.front)}/`, telnet: `${where.telnet.host} ${where.telnet.port}` };
  });

  return {
    ready,
    failed,
    folder: endpoints.folder,
    orchestrator: createOrchestrator(fleet, log, { journal: journalOn(config.backendFlags, backendEnv), maxBackends: config.maxBackends }),
    busClient: () => bus.then((device) => ({ spec: { in: device.in, out: device.out }, curveArgs: endpoints.backendArgs })),
    async stop() {
      stopping = true;
      if (proxy !== undefined) {
        proxy.signal('SIGTERM');
        await proxy.exited;
      }
      // SIGINT, not SIGTERM: a SIGTERM asks a backend to drain, and with the proxy gone nobody is left to move.
      const running = [...all];
      for (const child of running) child.signal('SIGINT');
      await Promise.all(running.map((child) => child.exited));
      try {
        await closeBus();
      } finally {
        // Whatever the bus said on closing, its socket files go with the folder.
        endpoints.remove();
      }
    },
    kill() {
      stopping = true;
      for (const child of all) child.signal('SIGKILL');
      void closeBus();
      endpoints.remove();
    },
  };
}
