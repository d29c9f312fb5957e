/**
 * A whole BBS for tests: the real proxy in-process on ephemeral ports, with real `m2bbs handler`
 * processes behind it on one SQLite file, over real ZeroMQ.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../common/log.js';
import { CAP_DEFAULTS, type CapConfig } from '../../server/cap-flags.js';
import type { ProxyConfig } from '../../server/config.js';
import type { BackendSpec } from '../../server/backend-link.js';
import { startBusDevice, type BusDevice } from '../../server/bus-device.js';
import { startProxy, type Proxy } from '../../server/proxy.js';
import { HandlerProcess } from './handler-process.js';

export interface TestBbs {
  readonly proxy: Proxy;
  readonly handlers: readonly HandlerProcess[];
  readonly httpUrl: string;
  readonly frontPort: number;
  readonly telnetPort: number;
  /** The SQLite file the backends share. */
  readonly dbFile: string;
  /** The event bus device the backends are given (--bus), as `m2bbs start` hosts one. */
  readonly bus: BusDevice;
  /** Starts one more backend process on `bound` (a link added with proxy.addLink), stopped with the rest; resolves once it is ready. */
  startHandler(bound: BackendSpec): Promise<HandlerProcess>;
  close(): Promise<void>;
}

export interface TestBbsOptions {
  readonly backends?: number;
  readonly log?: Logger;
  readonly telnetNegotiationMs?: number;
  /** Lines per backend: the handlers' --max-callers and what the proxy is told. */
  readonly lines?: number;
  /** More `m2bbs handler` flags for every backend (`--db-max-size 1`). */
  readonly handlerArgs?: readonly string[];
  /** Requests of one turn go as one multipart message, as `m2bbs start` runs the proxy. */
  readonly batch?: boolean;
  /** The proxy's caps, request deadline and host names, over the defaults of `m2bbs proxy`. */
  readonly caps?: Partial<CapConfig>;
  /** The proxy's limits on a moving call (a death's move limit, a handed-off call's wait with no number up), and on a JSON socket that makes no call. */
  readonly limits?: Pick<ProxyConfig, 'moveTimeoutMs' | 'drainTimeoutMs' | 'noCallTimeoutMs'>;
}

/** Starts the proxy and its backends; resolves once every backend is ready. */
export async function startTestBbs(options: TestBbsOptions = {}): Promise<TestBbs> {
  const count = options.backends ?? 1;
  const config: ProxyConfig = {
    listen: { host: '127.0.0.1', port: 0 },
    telnet: { host: '127.0.0.1', port: 0 },
    backends: Array.from({ length: count }, (_, i) => ({
      number: `bbs.${10 + i}`,
      sendSpec: 'tcp://127.0.0.1:*',
      recvSpec: 'tcp://127.0.0.1:*',
      ...(options.lines === undefined ? {} : { lines: options.lines }),
      ...(options.batch === true ? { batch: true } : {}),
    })),
    uuid: randomUUID(),
    logLevel: 'silent',
    telnetNegotiationMs: options.telnetNegotiationMs ?? 1000,
    // Tests open many connections from 127.0.0.1 in a minute: no rate unless a test is about it.
    caps: { ...CAP_DEFAULTS, connectionsPerMinute: 0, hosts: [], ...options.caps },
    ...options.limits,
  };
  const bus = await startBusDevice('tcp://127.0.0.1:*', 'tcp://127.0.0.1:*', createLogger('silent'));
  const proxy = await startProxy(config, options.log ?? createLogger('silent')).catch(async (error: unknown) => {
    await bus.close();
    throw error;
  });
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bbs-'));
  const start = (b: BackendSpec): HandlerProcess =>
    HandlerProcess.start(
      [
        ...['--name', b.number, '--send-spec', b.sendSpec, '--recv-spec', b.recvSpec, '--db', join(dir, 'bbs.db'), '--bad-pass-delay-ms', '0', '--bus', bus.spec],
        ...(options.lines === undefined ? [] : ['--max-callers', String(options.lines)]),
        ...(options.handlerArgs ?? []),
      ],
      { db: false },
    );
  const handlers = proxy.backends.map(start);
  await Promise.all(handlers.map((h) => h.ready()));
  await proxy.whenUp();
  return {
    proxy,
    handlers,
    httpUrl: `http://127.0.0.1:${proxy.front.port}/`,
    frontPort: proxy.front.port,
    telnetPort: proxy.telnet.port,
    dbFile: join(dir, 'bbs.db'),
    bus,
    async startHandler(bound) {
      const handler = start(bound);
      handlers.push(handler);
      await handler.ready();
      return handler;
    },
    async close() {
      await proxy.close();
      // stop() sends SIGINT (stop at once): SIGTERM would drain, waiting for the proxy (gone) to hand calls off.
      await Promise.all(handlers.map((h) => h.stop()));
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
