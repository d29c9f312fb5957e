import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Subscriber } from 'zeromq';
import { createLogger } from '../common/log.js';
import { createEventBus, parseBusSpec, type EventBus } from '../handler/event-bus.js';
import { startBusDevice, type BusDevice } from '../server/bus-device.js';

const log = createLogger('silent');
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

type Seen = { topic: string; body: unknown }[] & {
  /** Resolves once `n` events have come (woken by the listener itself, no polling); fails after `ms`. */
  atLeast(n: number, what: string, ms?: number): Promise<void>;
};

function received(bus: EventBus): Seen {
  const waiting = new Set<{ n: number; done: () => void }>();
  const seen = Object.assign([] as { topic: string; body: unknown }[], {
    atLeast: (n: number, what: string, ms = 5000): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        if (seen.length >= n) return resolve();
        const timer = setTimeout(() => {
          waiting.delete(waiter);
          reject(new Error(`timed out waiting for ${what}`));
        }, ms);
        const waiter = { n, done: () => (clearTimeout(timer), resolve()) };
        waiting.add(waiter);
      }),
  });
  bus.onEvent((topic, body) => {
    seen.push({ topic, body });
    for (const waiter of waiting) {
      if (seen.length < waiter.n) continue;
      waiting.delete(waiter);
      waiter.done();
    }
  });
  return seen;
}

describe('local bus (a lone handler)', () => {
  it('loops an event back to its own listeners, as a copy', async () => {
    const bus = createEventBus({ log });
    opened.push(bus);
    await bus.connected;
    const seen = received(bus);
    const body = { kind: 'chat', text: 'hello' };
    bus.publish('chat/main/', body);
    await seen.atLeast(1, 'the event');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({ topic: 'chat/main/', body: { kind: 'chat', text: 'hello' } });
    expect(seen[0]?.body).not.toBe(body);
  });

  it('stops calling a listener once it is removed', async () => {
    const bus = createEventBus({ log });
    opened.push(bus);
    const kept = received(bus);
    const dropped: string[] = [];
    const stop = bus.onEvent((topic) => dropped.push(topic));
    stop();
    bus.publish('presence/', {});
    await kept.atLeast(1, 'the event');
    expect(dropped).toEqual([]);
  });
});

describe('bus through the device', () => {
  for (const transport of ['tcp', 'ipc'] as const) {
    it(`carries each backend's events to every backend, the publisher too (${transport})`, async () => {
      const folder = mkdtempSync(join(tmpdir(), 'm2bbs-bus-'));
      opened.push({ close: async () => rmSync(folder, { recursive: true, force: true }) });
      const device: BusDevice =
        transport === 'tcp' ? await startBusDevice('tcp://127.0.0.1:*', 'tcp://127.0.0.1:*', log) : await startBusDevice(`ipc://${join(folder, 'bus.in')}`, `ipc://${join(folder, 'bus.out')}`, log);
      opened.push(device);
      const spec = parseBusSpec(device.spec);
      if ('problem' in spec) throw new Error(spec.problem);
      const a = createEventBus({ spec, log });
      const b = createEventBus({ spec, log });
      opened.push(a, b);
      await Promise.all([a.connected, b.connected]);
      const seenA = received(a);
      const seenB = received(b);
      a.publish('chat/main/', { text: 'from a' });
      b.publish('page/bob/', { from: 'b' });
      // Not a topic backends take: never delivered.
      a.publish('other/', { x: 1 });
      await Promise.all([seenA.atLeast(2, 'both events at backend a'), seenB.atLeast(2, 'both events at backend b')]);
      for (const seen of [seenA, seenB]) {
        expect(seen.map((e) => e.topic).sort()).toEqual(['chat/main/', 'page/bob/']);
        expect(seen.find((e) => e.topic === 'chat/main/')?.body).toEqual({ text: 'from a' });
      }
    });
  }

  it('keeps forwarding while a subscriber reads nothing: past its high-water mark it is dropped for, never waited on', { timeout: 60_000 }, async () => {
    const device = await startBusDevice('tcp://127.0.0.1:*', 'tcp://127.0.0.1:*', log);
    opened.push(device);
    // A subscriber that takes everything and never reads it.
    const stuck = new Subscriber({ receiveHighWaterMark: 1, linger: 0 });
    stuck.subscribe('');
    stuck.connect(device.out);
    opened.push({ close: async () => stuck.close() });
    const spec = parseBusSpec(device.spec);
    if ('problem' in spec) throw new Error(spec.problem);
    const a = createEventBus({ spec, log });
    const b = createEventBus({ spec, log });
    opened.push(a, b);
    await Promise.all([a.connected, b.connected]);
    let heard = 0;
    let last = false;
    b.onEvent((topic, body) => {
      heard++;
      if (topic === 'broadcast/' && (body as { last?: boolean }).last === true) last = true;
    });
    // More events than the device holds for one subscriber (50,000), and more bytes than the sockets buffer.
    const text = 'x'.repeat(100);
    for (let i = 0; i < 120_000; i++) a.publish('chat/flood/', { i, text });
    // Said again until it arrives: b may itself have been dropped for while the flood went by.
    const deadline = Date.now() + 30_000;
    while (!last) {
      if (Date.now() > deadline) throw new Error(`the device stopped forwarding (b heard ${heard})`);
      a.publish('broadcast/', { last: true });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(heard).toBeGreaterThan(0);
  });

  it('says what is wrong with a bad spec', () => {
    expect(parseBusSpec('ipc:///x/bus.in')).toEqual({ problem: expect.stringContaining('IN,OUT') });
    expect(parseBusSpec('a,b,c')).toHaveProperty('problem');
    expect(parseBusSpec(' tcp://127.0.0.1:1 , tcp://127.0.0.1:2 ')).toEqual({ in: 'tcp://127.0.0.1:1', out: 'tcp://127.0.0.1:2' });
  });
});
