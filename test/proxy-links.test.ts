/**
 * The proxy's links while it runs, driven as `m2bbs start` drives it (its channel): a number given
 * twice is two generations, new calls go to the newest; `add-link` binds one more and is answered
 * with the endpoints as bound (or why not); every link says `backend-connected` when a process
 * connects; `drain-link` moves a generation's caller to another; `remove-link` drops it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../server/line.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';

async function bbs10(port: number): Promise<DirectoryEntry | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/directory`);
  return ((await response.json()) as { numbers: DirectoryEntry[] }).numbers.find((n) => n.number === 'bbs.10');
}

describe('the proxy told to add, drain and remove links', () => {
  const started: HandlerProcess[] = [];
  let client: JsonSocketClient | undefined;
  afterEach(async () => {
    client?.destroy();
    client = undefined;
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });

  it('generations of bbs.10: the newest takes new calls, an added one is bound and connected, a drained one hands its caller over', async () => {
    const tcp = 'tcp://127.0.0.1:*';
    const proxy = HandlerProcess.supervised(['proxy', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--batch-requests', '--log-level', 'info', '--backend', `bbs.10=${tcp},${tcp}`, '--backend', `bbs.10=${tcp},${tcp}`]);
    started.push(proxy);
    const ready = await proxy.waitForMessage('proxy-ready');
    const [first, second] = ready.backends;
    expect(ready.backends.map((b) => b.number)).toEqual(['bbs.10', 'bbs.10']);
    if (first === undefined || second === undefined) throw new Error('two links expected');
    expect(first.sendSpec).not.toBe(second.sendSpec);

    const handler = (b: { sendSpec: string; recvSpec: string }, db?: string): HandlerProcess => {
      const args = ['--name', 'bbs.10', '--send-spec', b.sendSpec, '--recv-spec', b.recvSpec, '--bad-pass-delay-ms', '0'];
      const started1 = db === undefined ? HandlerProcess.start(args) : HandlerProcess.start([...args, '--db', db], { db: false });
      started.push(started1);
      return started1;
    };
    const gen1 = handler(first);
    const db = join(gen1.dir, 'bbs.db');
    const gen2 = handler(second, db);
    await proxy.waitForMessage('backend-connected', (m) => m.sendSpec === first.sendSpec);
    await proxy.waitForMessage('backend-connected', (m) => m.sendSpec === second.sendSpec);
    expect(await bbs10(ready.front.port)).toMatchObject({ up: true, draining: false, generation: 2 });

    // A new call to @bbs.10 goes to the newest generation.
    client = await JsonSocketClient.open(ready.front.port, '@bbs.10');
    await client.exchange('connect');
    await client.exchange('linkcaller');
    await gen2.waitForLog((r) => r.msg === 'session opened');
    expect(gen1.records.some((r) => r.msg === 'session opened')).toBe(false);

    // One more generation, bound where the proxy chose, and said connected once its process is.
    proxy.child.send({ type: 'add-link', request: 7, number: 'bbs.10', sendSpec: tcp, recvSpec: tcp });
    const added = await proxy.waitForMessage('link-added', (m) => m.request === 7);
    expect(added.backend.number).toBe('bbs.10');
    expect(added.backend.sendSpec).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    handler(added.backend, db);
    await proxy.waitForMessage('backend-connected', (m) => m.sendSpec === added.backend.sendSpec);
    expect(await bbs10(ready.front.port)).toMatchObject({ up: true, draining: false, generation: 3, inUse: 1 });

    // Endpoints already in use: refused, with why.
    proxy.child.send({ type: 'add-link', request: 8, number: 'bbs.10', sendSpec: second.sendSpec, recvSpec: second.recvSpec });
    const failed = await proxy.waitForMessage('link-failed', (m) => m.request === 8);
    expect(failed.message).toContain(second.sendSpec);
    // Endpoints other hosts could reach, without CURVE: refused as --backend would be.
    proxy.child.send({ type: 'add-link', request: 9, number: 'bbs.12', sendSpec: 'tcp://0.0.0.0:*', recvSpec: 'tcp://0.0.0.0:*' });
    expect((await proxy.waitForMessage('link-failed', (m) => m.request === 9)).message).toContain('open to other hosts');

    // The second generation drains: its caller (idle at a prompt) moves to the newest one.
    proxy.child.send({ type: 'drain-link', sendSpec: second.sendSpec });
    const moved = await client.untilPrompt();
    expect(moved.texts).toContain('-- line moved to @bbs.10 --');
    expect(moved.prompt?.msg).toMatch(/password/i);
    await proxy.waitForLog((r) => r.msg === 'call moved' && r.from === 'bbs.10' && r.to === 'bbs.10');

    proxy.child.send({ type: 'remove-link', sendSpec: second.sendSpec });
    await proxy.waitForLog((r) => r.msg === 'link removed' && r.sendSpec === second.sendSpec);
    expect(await bbs10(ready.front.port)).toMatchObject({ up: true, draining: false, generation: 3, inUse: 1 });

    // Removing the link the caller is on moves the call as a death would: to the first generation.
    proxy.child.send({ type: 'remove-link', sendSpec: added.backend.sendSpec });
    const movedAgain = await client.untilPrompt();
    expect(movedAgain.texts).toContain('-- line moved to @bbs.10 --');
    expect(movedAgain.prompt?.msg).toMatch(/password/i);
    await proxy.waitForLog((r) => r.msg === 'line moving');
    expect(await bbs10(ready.front.port)).toMatchObject({ up: true, draining: false, generation: 3, inUse: 1 });
  });
});
