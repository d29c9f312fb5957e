/**
 * The "proxy ready" line names the front port as a URL a user can paste: an IPv6 listen address
 * in brackets (`http://[::1]:PORT/`), which the proxy then answers on.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { startProxy, type Proxy } from '../server/proxy.js';

let proxy: Proxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('the proxy ready line', () => {
  it('spells an IPv6 front address in brackets, and the URL it gives answers', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const p = (proxy = await startProxy({ listen: { host: '::1', port: 0 }, telnet: { host: '::1', port: 0 }, backends: [], uuid: randomUUID(), logLevel: 'info', telnetNegotiationMs: 1000 }, log));
    const ready = lines.find((l) => l.msg === 'proxy ready');
    expect(ready).toMatchObject({ http: `http://[::1]:${p.front.port}/`, telnet: `::1 ${p.telnet.port}` });
    const answer = await fetch(new URL('directory', String(ready?.http)));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toHaveProperty('numbers');
  });

  it('spells an IPv4 front address as it is', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const p = (proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, telnet: { host: '127.0.0.1', port: 0 }, backends: [], uuid: randomUUID(), logLevel: 'info', telnetNegotiationMs: 1000 }, log));
    expect(lines.find((l) => l.msg === 'proxy ready')).toMatchObject({ http: `http://127.0.0.1:${p.front.port}/` });
  });
});
