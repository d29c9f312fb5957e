/**
 * A backend that falls behind keeps at most 64 room events per caller (handler/listen-runner.ts);
 * a caller whose events were dropped is told how many, as an event (`-- N lines missed --`), never
 * left to think they heard the whole room. Real processes: the proxy, a backend, the bus device;
 * the backend is held still with SIGSTOP while 200 lines are said on the bus, then let go.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { createEventBus, type EventBus } from '../handler/event-bus.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import type { JsonReply } from './support/reply-queue.js';
import { until } from './support/process-tree.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const LINES = 200;
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('a caller whose room events were dropped', () => {
  it('is told how many lines they missed, once, before the lines that were kept; told plus heard is every line said', async () => {
    const bbs: TestBbs = await startTestBbs({ backends: 1, batch: true });
    stops.push(() => bbs.close());
    const ann = await JsonSocketClient.open(bbs.frontPort, '@bbs.10');
    stops.push(async () => ann.destroy());
    await ann.exchange('connect');
    for (const line of ['ann', 'secret12', 'y', 'secret12']) await ann.exchange(line);
    expect((await ann.exchange('')).prompt?.msg).toContain('MAIN MENU');
    expect((await ann.exchange('C')).texts.join('\n')).toContain('You are in the chat room "main"');

    const zed: EventBus = createEventBus({ spec: { in: bbs.bus.in, out: bbs.bus.out }, log: createLogger('silent') });
    stops.push(() => zed.close());
    await zed.connected;
    const echoed: string[] = [];
    zed.onEvent((_topic, body) => echoed.push(String((body as { text?: unknown }).text)));

    // The backend stands still (a stand-in for one far behind) while the room says 200 lines;
    // the device has passed every one on once the publisher hears them all back.
    const pid = bbs.handlers[0]!.child.pid!;
    const from = ann.heard.length;
    process.kill(pid, 'SIGSTOP');
    try {
      for (let i = 0; i < LINES; i++) zed.publish('chat/main/', { kind: 'chat', from: 'zed', room: 'main', text: `line ${i}`, at: new Date().toISOString() });
      await until(() => (echoed.length >= LINES ? true : undefined), 'the bus passing on every line');
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    const isLine = (reply: JsonReply): boolean => reply.type === 'event' && (reply as { from?: string }).from === 'zed';
    await ann.hears((reply) => isLine(reply) && reply.msg === `<zed> line ${LINES - 1}`, from);
    const after = ann.heard.slice(from).filter((reply) => reply.type === 'event');
    const told = after.filter((reply) => (reply as { kind?: string }).kind === 'notice');
    const heard = after.filter(isLine).map((reply) => reply.msg);
    expect(told.length).toBeGreaterThanOrEqual(1);
    let missed = 0;
    for (const notice of told) {
      const count = /^-- (\d+) lines missed --$/.exec(notice.msg);
      expect(count, notice.msg).not.toBeNull();
      missed += Number(count![1]);
    }
    // Nothing silently lost and nothing twice: each line was shown or counted.
    expect(missed + heard.length).toBe(LINES);
    expect(new Set(heard).size).toBe(heard.length);
    // The newest lines are kept, in the order said; each notice comes before the lines kept after the drop it counts.
    const numbers = heard.map((msg) => Number(msg.replace('<zed> line ', '')));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(after.indexOf(told[0]!)).toBeLessThan(after.findIndex((reply) => reply.msg === heard[heard.length - 1]));
    // Ann is still in the room, at her prompt.
    expect((await ann.exchange('/who')).texts.join('\n')).toContain('In the chat (1): ann');
    expect(ann.heard.slice(from).filter((reply) => (reply as { kind?: string }).kind === 'notice')).toHaveLength(told.length);
  });
});
