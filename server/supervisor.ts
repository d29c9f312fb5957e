/**
 * `m2bbs start`: runs the proxy and N backends as child processes on one SQLite file, says where
 * to connect once all are up, and stops them all on SIGINT or SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultBackend } from '../common/backend-defaults.js';
import type { Logger } from '../common/log.js';
import type { BackendSpec } from './backend-link.js';
import { backendArgs, type StartConfig } from './start-config.js';

const M2BBS_BIN = fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url));

type LogRecord = Readonly<Record<string, unknown>>;

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves with the first log record of the child's that `match` accepts. */
  logged(match: (record: LogRecord) => boolean): Promise<LogRecord>;
}

export interface Supervisor {
  /** Resolves once the proxy and every backend said they are ready, with the proxy's addresses. */
  readonly ready: Promise<{ readonly http: string; readonly telnet: string }>;
  /** Resolves when a child stopped without being asked, naming it. */
  readonly failed: Promise<string>;
  /** Stops the proxy first (it tells callers), then the backends. */
  stop(): Promise<void>;
  /** Kills everything at once. */
  kill(): void;
}

/** Starts the proxy and backends described by `config`. */
export function startSupervisor(config: StartConfig, log: Logger): Supervisor {
  // The proxy binds every backend's endpoints on ports the system picks, and its ready line says
  // which; backends are started once it has, so nothing here depends on a fixed free port.
  const numbers = Array.from({ length: config.backends }, (_, i) => defaultBackend(i).number);
  let stopping = false;
  let reportFailure!: (name: string) => void;
  const failed = new Promise<string>((resolve) => (reportFailure = resolve));

  const run = (name: string, args: readonly string[], onUnexpectedExit: (code: number | null, signal: NodeJS.Signals | null) => void): Child => {
    // Own process group: a terminal's Ctrl-C reaches the supervisor only, which stops children in order.
    const child = spawn(process.execPath, [M2BBS_BIN, ...args, '--log-level', config.logLevel], {
      stdio: ['ignore', 'inherit', 'pipe'],
      detached: true,
    });
    const watchers = new Set<(record: LogRecord) => void>();
    let buffered = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk);
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let record: LogRecord;
        try {
          record = JSON.parse(line) as LogRecord;
        } catch {
          continue;
        }
        for (const watch of watchers) watch(record);
      }
    });
    log.info('child started', { child: name, pid: child.pid });
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code, signal) => {
        if (!stopping) onUnexpectedExit(code, signal);
        resolve(code);
      }),
    );
    const logged = (match: (record: LogRecord) => boolean): Promise<LogRecord> =>
      new Promise((resolve) => {
        const watch = (record: LogRecord): void => {
          if (!match(record)) return;
          watchers.delete(watch);
          resolve(record);
        };
        watchers.add(watch);
      });
    return { name, process: child, exited, logged };
  };

  // The backends are m2bbs's own, so requests to them may go batched.
  const proxyArgs = ['proxy', '--listen', config.listen, '--telnet', config.telnet, '--lines', String(config.maxCallers), '--batch-requests'];
  const proxy = run('proxy', [...proxyArgs, ...numbers.flatMap((n) => ['--backend', `${n}=tcp://127.0.0.1:*,tcp://127.0.0.1:*`])], (code, signal) => {
    log.error('proxy stopped unexpectedly', { code, signal });
    reportFailure('the proxy');
  });
  const connected = numbers.map((number) => proxy.logged((r) => r.msg === 'backend connected' && r.backend === number));
  const all: Child[] = [proxy];  // every child ever started, for kill()
  const handlers: Child[] = [];
  const ready = proxy.logged((r) => r.msg === 'proxy ready').then(async (proxyReady) => {
    for (const b of proxyReady.backends as BackendSpec[]) startBackend(b, 0);
    // Up means the proxy sees each backend connected, so the first caller finds a line.
    await Promise.all(connected);
    return { http: String(proxyReady.http), telnet: String(proxyReady.telnet) };
  });

  // A backend that exits unexpectedly is restarted on the same endpoints, waiting longer after
  // each quick failure (0.5 s doubling to 10 s), and from scratch once it has run for 30 s.
  function startBackend(b: BackendSpec, failures: number): void {
    const args = backendArgs(config, b);
    const started = Date.now();
    const handler = run(b.number, config.screens === undefined ? args : [...args, '--screens', config.screens], (code, signal) => {
      const quick = Date.now() - started < 30_000 ? failures + 1 : 1;
      const delayMs = Math.min(500 * 2 ** (quick - 1), 10_000);
      log.warn('backend exited; restarting', { backend: b.number, code, signal, restartInMs: delayMs });
      const index = handlers.indexOf(handler);
      if (index >= 0) handlers.splice(index, 1);
      setTimeout(() => {
        if (!stopping) startBackend(b, quick);
      }, delayMs).unref();
    });
    handlers.push(handler);
    all.push(handler);
  }

  const signal = (child: Child, sig: NodeJS.Signals): void => {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(sig);
  };

  return {
    ready,
    failed,
    async stop() {
      stopping = true;
      signal(proxy, 'SIGTERM');
      await proxy.exited;
      for (const handler of handlers) signal(handler, 'SIGTERM');
      await Promise.all(handlers.map((handler) => handler.exited));
    },
    kill() {
      stopping = true;
      for (const child of all) signal(child, 'SIGKILL');
    },
  };
}
