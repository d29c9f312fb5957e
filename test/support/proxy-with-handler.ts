/** A real m2bbs proxy on ephemeral loopback ports with a plain ZeroMQ handler behind its first number. */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../common/log.js';
import type { ProxyConfig } from '../../server/config.js';
import { startProxy, type Proxy } from '../../server/proxy.js';
import { ForeignHandler } from './foreign-handler.js';

/** The proxy, the handler on bbs.10 (connected, and seen by the proxy), and a stop for both. */
export interface ProxyWithHandler {
  readonly proxy: Proxy;
  readonly handler: ForeignHandler;
  close(): Promise<void>;
}

/** Starts a proxy with numbers `bbs.10`, ... (`numbers` of them) and `more` of its configuration. */
export async function startProxyWithHandler(more: Partial<ProxyConfig> = {}, numbers = 1, batch = false): Promise<ProxyWithHandler> {
  const proxy = await startProxy(
    {
      listen: { host: '127.0.0.1', port: 0 },
      telnet: { host: '127.0.0.1', port: 0 },
      backends: Array.from({ length: numbers }, (_, i) => ({ number: `bbs.${10 + i}`, sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*', ...(batch ? { batch } : {}) })),
      uuid: randomUUID(),
      logLevel: 'silent',
      telnetNegotiationMs: 50,
      ...more,
    },
    createLogger('silent'),
  );
  const [spec] = proxy.backends;
  const handler = ForeignHandler.connect(spec?.sendSpec ?? '', spec?.recvSpec ?? '');
  await proxy.whenUp('bbs.10');
  return {
    proxy,
    handler,
    async close() {
      handler.close();
      await proxy.close();
    },
  };
}
