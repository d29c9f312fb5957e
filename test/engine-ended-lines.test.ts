import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { ask, call, type Flow } from '../handler/effects.js';
import { EndedConnections } from '../handler/ended-connections.js';
import { createHarness, ManualClock } from './support/harness.js';

function collectingLog() {
  const records: Record<string, unknown>[] = [];
  const log = createLogger('debug', { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, records };
}

const line = (text: string): string => JSON.stringify({ type: 'msg', msg: text });

// Stuck in a service call after the first answer, so every line after it queues up.
function stuckHarness(options: { now?: () => number; log?: ReturnType<typeof collectingLog>['log'] } = {}) {
  function* stuck(): Flow {
    yield* ask('name');
    yield* call('countMessages');
  }
  const never = new Promise<number>(() => {});
  return createHarness({ startFlow: stuck, services: (base) => ({ ...base, countMessages: () => never as unknown as number }), ...options });
}

describe('lines for a conversation the backend has ended', () => {
  it('are dropped after a "too fast" hang-up: the leftover lines of a flood open no new conversation', async () => {
    const { log, records } = collectingLog();
    const h = stuckHarness({ log });
    const c = h.caller('8');
    await c.dial();
    for (let i = 0; i < 300; i++) c.sendBody(line(`line ${i}`));
    expect(c.closed).toBe(true);
    expect(c.replies.filter((r) => r.type === 'exit').map((r) => r.msg)).toEqual([expect.stringContaining('typing faster')]);
    // Nothing after the goodbye: no new welcome, no new prompt.
    expect(c.replies.at(-1)).toMatchObject({ type: 'exit' });
    expect(h.engine.liveSessions).toBe(0);
    expect(records.filter((r) => r.msg === 'session opened')).toHaveLength(1);
    expect(records.filter((r) => r.msg === 'line for an ended conversation dropped').length).toBeGreaterThan(200);
    h.close();
  });

  it('are dropped after a malformed one too, with no bad_message sent to a closed line', async () => {
    const h = stuckHarness();
    const c = h.caller('3');
    await c.dial();
    for (let i = 0; i < 40; i++) c.sendBody(line(`line ${i}`));
    const after = c.replies.length;
    c.sendBody('{"type":"msg","msg":"say "hi""}');
    expect(c.replies.length).toBe(after);
    h.close();
  });

  it('let the same connection id call again once its disconnect has come (ids restart with a proxy)', async () => {
    const h = stuckHarness();
    const c = h.caller('4');
    await c.dial();
    for (let i = 0; i < 40; i++) c.sendBody(line(`line ${i}`));
    expect(h.engine.liveSessions).toBe(0);
    c.hangUp();
    const again = h.caller('4');
    expect(await again.dial()).toMatchObject({ type: 'prompt', msg: expect.stringContaining("What's your name?") });
    expect(h.engine.liveSessions).toBe(1);
    h.close();
  });

  it('let the same connection id call again once the record has expired', async () => {
    const clock = new ManualClock();
    const h = stuckHarness({ now: clock.now });
    const c = h.caller('5');
    await c.dial();
    for (let i = 0; i < 40; i++) c.sendBody(line(`line ${i}`));
    c.sendBody(line('late'));
    expect(h.engine.liveSessions).toBe(0);
    clock.advance(31);
    h.engine.sweep();
    const again = h.caller('5');
    expect(await again.dial()).toMatchObject({ type: 'prompt' });
    h.close();
  });

  it('are remembered in a bounded record: the oldest closed connection is forgotten first', () => {
    let now = 0;
    const ended = new EndedConnections(() => now, 1000, 3);
    for (const key of ['a', 'b', 'c', 'd']) ended.add(key);
    expect(ended.size).toBe(3);
    expect([ended.has('a'), ended.has('b'), ended.has('d')]).toEqual([false, true, true]);
    now = 1000;
    ended.prune();
    expect(ended.size).toBe(0);
  });
});

describe('a message the backend cannot read', () => {
  it('is answered with bad_message and the pending prompt again, and the caller carries on', async () => {
    const h = createHarness();
    const c = h.caller('6');
    const first = await c.dial();
    const before = c.replies.length;
    // What the original client.py sends for `say "hi"`: the quotes are not escaped.
    c.sendBody('{"type":"msg","msg":"say "hi""}');
    expect(c.replies.slice(before)).toEqual([
      { type: 'screen', msg: expect.stringContaining('could not read what your terminal sent') },
      first,
    ]);
    expect(await c.say('zed')).toMatchObject({ type: 'prompt', msg: expect.stringContaining('password') });
    h.close();
  });

  it('shows a hidden prompt again as hidden', async () => {
    const h = createHarness();
    const c = h.caller('7');
    await c.dial();
    const password = await c.say('zed');
    expect(password).toMatchObject({ echo: false });
    c.sendBody('not json');
    expect(c.replies.at(-1)).toEqual(password);
    h.close();
  });
});
