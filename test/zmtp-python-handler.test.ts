import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import type { BackendSpec } from '../server/backend-link.js';
import { startProxy, type Proxy } from '../server/proxy.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { startPythonHandler, type PythonHandler } from './support/python-handler.js';

// ZMTP in Node (the proxy's own PUSH and SUB) with a Mongrel2 handler on Debian's libzmq through
// pyzmq, which sends heartbeat PINGs, dials before the proxy binds and redials after it restarts.
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function proxyFor(backend: BackendSpec): Promise<Proxy> {
  const config = { listen: { host: '127.0.0.1', port: 0 }, telnet: { host: '127.0.0.1', port: 0 }, backends: [backend], uuid: randomUUID(), logLevel: 'silent' as const, telnetNegotiationMs: 50 };
  const proxy = await startProxy(config, createLogger('silent'));
  let closed = false;
  closers.push(() => (closed ? undefined : proxy.close()));
  const close = proxy.close.bind(proxy);
  return Object.assign(proxy, { close: () => ((closed = true), close()) });
}

async function handler(name: string, spec: BackendSpec): Promise<PythonHandler> {
  const started = await startPythonHandler(name, spec.sendSpec, spec.recvSpec);
  closers.push(() => started.stop());
  return started;
}

async function caller(proxy: Proxy): Promise<JsonSocketClient> {
  const client = await JsonSocketClient.open(proxy.front.port, '@bbs.10');
  closers.push(() => client.destroy());
  return client;
}

async function ask(client: JsonSocketClient, line: string): Promise<string> {
  client.send(line);
  return (await client.untilPrompt()).prompt?.msg ?? '(no prompt)';
}

// Debian's python3-zmq is the peer; CI installs it and sets M2BBS_REQUIRE_PYZMQ, so there its absence fails.
const hasPyzmq = spawnSync('/usr/bin/python3', ['-c', 'import zmq']).status === 0;
if (!hasPyzmq && process.env.M2BBS_REQUIRE_PYZMQ) throw new Error('python3-zmq is required here: apt-get install python3-zmq');
if (!hasPyzmq) console.warn('python3-zmq not installed (apt-get install python3-zmq): the pyzmq handler tests are not run');

describe.runIf(hasPyzmq)('the proxy with a pyzmq Mongrel2 handler', () => {
  it('ipc://: two handlers dialling before the proxy binds share the requests round robin, replies of 200 KB arrive, and both redial a restarted proxy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-zmtp-py-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const spec: BackendSpec = { number: 'bbs.10', sendSpec: `ipc://${join(dir, 'send')}`, recvSpec: `ipc://${join(dir, 'recv')}` };
    await handler('a', spec);
    await handler('b', spec);
    let proxy = await proxyFor(spec);
    await proxy.whenUp('bbs.10');
    const alice = await caller(proxy);
    const answered = new Set<string>();
    await until(async () => {
      answered.add((await ask(alice, 'hello')).split(':')[0] ?? '');
      return answered.size === 2 ? true : undefined;
    }, 'both handlers answering');
    expect([...answered].sort()).toEqual(['a', 'b']);
    expect(await ask(alice, 'big 200000')).toBe('x'.repeat(200_000));

    await proxy.close();
    proxy = await proxyFor(spec);
    await proxy.whenUp('bbs.10');
    const bob = await caller(proxy);
    expect(await ask(bob, 'after the restart')).toMatch(/^[ab]: after the restart$/);
  });

  it('tcp://: a handler whose heartbeats the proxy answers keeps one link while requests and large replies flow', async () => {
    const proxy = await proxyFor({ number: 'bbs.10', sendSpec: 'tcp://127.0.0.1:*', recvSpec: 'tcp://127.0.0.1:*' });
    const [spec] = proxy.backends;
    await handler('a', spec as BackendSpec);
    await proxy.whenUp('bbs.10');
    const alice = await caller(proxy);
    for (let i = 0; i < 5; i++) expect(await ask(alice, `big ${70_000 + i}`)).toHaveLength(70_000 + i);
    expect(await ask(alice, 'done')).toBe('a: done');
  });
});
