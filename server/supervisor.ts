/**
 * `m2bbs start`: runs the proxy and N backends as child processes on one SQLite file, says where
 * to connect once all are up, restarts any of them that dies, and stops them all when asked.
 */
import type { BoundAddress, ChildMessage } from '../common/child-channel.js';
import { backendFlag, defaultBackend } from '../common/backend-defaults.js';
import { hostPort } from '../common/host-port.js';
import type { Logger } from '../common/log.js';
import type { BackendSpec } from './backend-link.js';
import type { LogOutput } from './log-view.js';
import { backendArgs, type StartConfig } from './start-config.js';
import { startEndpoints } from './start-endpoints.js';
import { runChild, type SupervisedChild } from './supervised-child.js';

/** The running BBS as `m2bbs start` holds it. */
export interface Supervisor {
  /** Resolves once the proxy and every backend said they are ready, with the proxy's addresses. */
  readonly ready: Promise<{ readonly http: string; readonly telnet: string }>;
  /** Resolves, with the one line to show, when the BBS cannot go on (the proxy cannot be (re)started). */
  readonly failed: Promise<string>;
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

function restartDelayMs(quickFailures: number, first = 500, max = 10_000): number {
  return Math.min(first * 2 ** (quickFailures - 1), max);
}

/** Starts the proxy and backends described by `config`, their log lines to `output`, each backend with `backendEnv`. */
export function startSupervisor(config: StartConfig, log: Logger, output: LogOutput, backendEnv: NodeJS.ProcessEnv): Supervisor {
  // The first proxy binds every backend's endpoints (ipc sockets in a private folder, or tcp ports
  // the system picks) and says which; a restarted proxy binds those same endpoints and front
  // ports, so running backends reconnect by themselves and callers find the BBS where the banner said.
  const numbers = Array.from({ length: config.backends }, (_, i) => defaultBackend(i).number);
  // Made here, before any child, because both the first proxy and every backend need the same
  // endpoints, and the folder must be made before a proxy can claim it (and removed by whoever stops last).
  const endpoints = startEndpoints(config.zmq, numbers, config.remote.curveArgs);
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
  // Set by the first proxy's ready message: what every later proxy is started with.
  let bound: { readonly args: readonly string[]; readonly backends: readonly BackendSpec[] } | undefined;
  let proxy: SupervisedChild | undefined;
  // Every child running, for kill(); a child leaves it when it exits, so a number retried for
  // days does not make it grow. Restart timers are kept referenced: when every child is dead at
  // once they are what keeps `m2bbs start` alive to bring the BBS back.
  const all = new Set<SupervisedChild>();
  const handlers: SupervisedChild[] = [];
  const common = ['--log-level', config.logLevel];
  // The backends are m2bbs's own, so requests to them may go batched.
  const proxyFlags = ['--lines', String(config.maxCallers), '--batch-requests', ...config.proxyFlags, ...common];
  // Backends outlive a proxy that dies: the next one waits for them before opening its doors.
  const restartFlags = ['--await-backends-ms', '5000'];

  function startProxy(failures: number): void {
    const started = Date.now();
    let failure: string | undefined;
    const args =
      bound?.args ??
      ['--listen', config.listen, '--telnet', config.telnet, ...[...endpoints.specs, ...config.remote.specs].flatMap((b) => ['--backend', backendFlag(b)]), ...endpoints.proxyArgs];
    const child = runChild('proxy', ['proxy', ...args, ...proxyFlags, ...(bound === undefined ? [] : restartFlags)], { log: output.sink('proxy'), supervisor: log }, {
      message(m: ChildMessage) {
        if (m.type === 'failed') failure = m.message;
        else if (m.type === 'backend-connected') connectedOnce.get(m.backend)?.();
        else if (m.type !== 'proxy-ready') return;
        else if (bound === undefined) {
          bound = {
            args: ['--listen', hostPort(m.front), '--telnet', hostPort(m.telnet), ...m.backends.flatMap((b) => ['--backend', backendFlag(b)]), ...endpoints.proxyArgs],
            backends: m.backends,
          };
          // A remote number's backend runs on its own host and attaches when it will.
          for (const b of m.backends) if (numbers.includes(b.number)) startBackend(b, 0);
          reportReady(m);
        } else log.info('proxy back', { tries: failures });
      },
      closed(code, signal) {
        all.delete(child);
        if (stopping) return;
        // Its callers are gone with it: the backends free their lines for the callers of the next one.
        for (const handler of handlers) handler.tell({ type: 'proxy-gone' });
        // At the first start a proxy that says why it cannot start (a port taken) will not start by
        // trying again. Once the BBS was up, its port may be free again in a moment: retry.
        if (bound === undefined) return giveUp(failure ?? `m2bbs: the proxy stopped before it was ready (exit code ${code}, signal ${signal}); see the lines above.`);
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

  // A backend that exits unexpectedly is restarted on the same endpoints, waiting longer after
  // each quick failure, and from scratch once it has run for 30 s.
  function startBackend(b: BackendSpec, failures: number): void {
    const args = backendArgs(config, b);
    const started = Date.now();
    let failure: string | undefined;
    const handler = runChild(b.number, [...(config.screens === undefined ? args : [...args, '--screens', config.screens]), ...endpoints.backendArgs, ...common], { log: output.sink(b.number), supervisor: log }, {
      message(m: ChildMessage) {
        if (m.type === 'failed') failure = m.message;
      },
      closed(code, signal) {
        all.delete(handler);
        const index = handlers.indexOf(handler);
        if (index >= 0) handlers.splice(index, 1);
        if (stopping) return;
        // Before the banner nobody is on yet and trying again changes nothing (bad screens, a
        // missing database): say why and stop. Later the other numbers still serve callers and a
        // sysop may mend the cause, so this one keeps being retried, saying why each time.
        if (failure !== undefined && !isUp) return giveUp(failure);
        const quick = Date.now() - started < QUICK_MS ? failures + 1 : 1;
        const delayMs = restartDelayMs(quick, config.restartDelayMs.first, config.restartDelayMs.max);
        if (failure !== undefined) log.error('backend could not start; trying again', { backend: b.number, why: failure, restartInMs: delayMs });
        else log.warn('backend exited; restarting', { backend: b.number, code, signal, restartInMs: delayMs });
        setTimeout(() => {
          if (!stopping) startBackend(b, quick);
        }, delayMs);
      },
    }, backendEnv);
    handlers.push(handler);
    all.add(handler);
  }

  startProxy(0);
  const ready = proxyReady.then(async (where) => {
    // Up means the proxy sees each backend connected, so the first caller finds a line.
    await Promise.all(connected);
    isUp = true;
    return { http: `http://${hostPort(where.front)}/`, telnet: `${where.telnet.host} ${where.telnet.port}` };
  });

  return {
    ready,
    failed,
    async stop() {
      stopping = true;
      if (proxy !== undefined) {
        proxy.signal('SIGTERM');
        await proxy.exited;
      }
      const running = [...handlers];
      for (const handler of running) handler.signal('SIGTERM');
      await Promise.all(running.map((handler) => handler.exited));
      endpoints.remove();
    },
    kill() {
      stopping = true;
      for (const child of all) child.signal('SIGKILL');
      endpoints.remove();
    },
  };
}
