/**
 * An m2bbs backend whose sockets speak ZMTP in Node, as an operator meets it: a server that keeps
 * refusing it is logged once per window, saying what to give the backend, not once per redial; a
 * backend dialling a server that is away stops at once when told to.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { curveKeyPair, Push, Subscriber } from 'zeromq';
import { HandlerProcess } from './support/handler-process.js';
import { until } from './support/process-tree.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function backend(args: readonly string[]): HandlerProcess {
  const started = HandlerProcess.start([...args, '--log-level', 'debug'], { channel: false });
  closers.push(() => started.stop());
  return started;
}

/** A TCP server that counts connections and hangs each up at once. */
async function hangingUpServer(): Promise<{ endpoint: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(() => new Promise((done) => server.close(done)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Expected a TCP address');
  return { endpoint: `tcp://127.0.0.1:${address.port}`, connections: () => connections };
}

describe('a backend speaking ZMTP in Node', () => {
  it('a server expecting CURVE: refusals logged once per endpoint while it is redialled many times, naming the flags to give', async () => {
    const keys = curveKeyPair();
    const push = new Push({ curveServer: true, curveSecretKey: keys.secretKey, linger: 0 });
    const sub = new Subscriber({ curveServer: true, curveSecretKey: keys.secretKey, linger: 0 });
    closers.push(() => (push.close(), sub.close()));
    let accepted = 0;
    push.events.on('accept', () => void accepted++);
    await push.bind('tcp://127.0.0.1:*');
    await sub.bind('tcp://127.0.0.1:*');
    const handler = backend(['--send-spec', push.lastEndpoint as string, '--recv-spec', sub.lastEndpoint as string]);
    const ready = await handler.waitForLog((r) => r.msg === 'handler ready');
    expect(ready.zmtp).toBe('node');
    await until(() => (accepted >= 20 ? true : undefined), 'twenty redials of the request endpoint');
    const refusals = handler.records.filter((r) => r.msg === 'server refused').map((r) => String(r.why));
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals.length).toBeLessThanOrEqual(4);
    for (const why of refusals) {
      expect(why).toMatch(/CURVE/);
      expect(why).toContain('give the handler --curve-key and --curve-server');
      expect(why).not.toContain('give the proxy');
    }
    expect(await handler.stop()).toBe(0);
  });

  it('stops when told to while it is redialling servers that hang up on it: exit 0, no error logged', async () => {
    const requests = await hangingUpServer();
    const replies = await hangingUpServer();
    const handler = backend(['--send-spec', requests.endpoint, '--recv-spec', replies.endpoint]);
    await until(() => (requests.connections() >= 4 && replies.connections() >= 4 ? true : undefined), 'the backend redialling both');
    expect(await handler.stop()).toBe(0);
    expect(handler.records.filter((r) => r.level === 'error')).toEqual([]);
  });
});
