import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createLogger } from '../common/log.js';
import { ask, call, show, showScreen, sleep, type Flow } from '../handler/effects.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { Journal } from '../handler/journal.js';
import { createHarness } from './support/harness.js';
import { until } from './support/process-tree.js';

function collectingLog() {
  const records: Record<string, unknown>[] = [];
  const log = createLogger('debug', { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, records };
}

describe('the engine', () => {
  it('runs one coroutine per connection, and a disconnect runs its finally and frees it', async () => {
    const finished: string[] = [];
    function* echo(): Flow {
      try {
        for (;;) {
          const line = yield* ask('name');
          yield* show('menu_error', { choice: line, keys: 'Q' });
        }
      } finally {
        finished.push('cleaned up');
      }
    }
    const h = createHarness({ startFlow: echo });
    const a = h.caller('1');
    const b = h.caller('2');
    await a.dial();
    await b.dial();
    expect(h.engine.liveSessions).toBe(2);
    await a.say('from a');
    await b.say('from b');
    expect(a.transcript()).toContain('"from a"');
    expect(a.transcript()).not.toContain('"from b"');
    a.hangUp();
    expect(finished).toEqual(['cleaned up']);
    expect(h.engine.liveSessions).toBe(1);
    await b.say('still here');
    expect(b.transcript()).toContain('"still here"');
    h.close();
  });

  it('ends a flow that throws with the error screen and a close, logs it, and serves everyone else', async () => {
    const { log, records } = collectingLog();
    function* fragile(): Flow {
      const line = yield* ask('name');
      if (line === 'boom') throw new Error('kaboom');
      yield* ask('menu', { name: line, title: 'MAIN MENU', entries: 'Q. Quit the BBS.', keys: 'Q' });
    }
    const h = createHarness({ startFlow: fragile, log });
    const bad = h.caller('1');
    const good = h.caller('2');
    await bad.dial();
    await good.dial();
    expect(await bad.say('boom')).toBeUndefined();
    expect(bad.replies.at(-1)).toMatchObject({ type: 'exit', msg: expect.stringContaining('Something broke on our side') });
    expect(bad.closed).toBe(true);
    const failure = records.find((r) => r.msg === 'flow failed');
    expect(failure).toMatchObject({ conn: '1', flow: 'bbs', effect: { kind: 'ask', screen: 'name' }, error: 'Error: kaboom' });
    expect((await good.say('fine'))?.msg).toContain('MAIN MENU');
    expect(h.engine.liveSessions).toBe(1);
    h.close();
  });

  it('ignores pings, and answers unknown message types and malformed bodies with the prompt again', async () => {
    const { log, records } = collectingLog();
    const h = createHarness({ log });
    const c = h.caller('5');
    await c.dial();
    const before = c.replies.length;
    c.sendBody('{"type":"ping"}');
    expect(c.replies.length).toBe(before);
    c.sendBody('{"type":"telepathy"}');
    expect(records.some((r) => r.msg === 'malformed message from caller' && r.reason === 'unknown message type "telepathy"')).toBe(true);
    c.sendBody('{"type":"msg","msg":42}');
    c.sendBody('not json at all');
    // Each is followed by the prompt still waiting for an answer, so the caller can go on.
    expect(c.replies.slice(before).map((r) => r.msg)).toEqual([
      expect.stringContaining('could not read what your terminal sent'),
      expect.stringContaining("What's your name?"),
      expect.stringContaining('could not read what your terminal sent'),
      expect.stringContaining("What's your name?"),
      expect.stringContaining('could not read what your terminal sent'),
      expect.stringContaining("What's your name?"),
    ]);
    expect((await c.say('zed'))?.msg).toContain('password');
    h.close();
  });

  it('says a message over 64 KiB is too long, not unreadable, and logs a flood of malformed messages once per 10 s with a count', async () => {
    const { log, records } = collectingLog();
    const h = createHarness({ log });
    const c = h.caller('6');
    await c.dial();
    const before = c.replies.length;
    const long = JSON.stringify({ type: 'msg', msg: 'A'.repeat(70_000) });
    c.sendBody(long);
    expect(c.replies.slice(before).map((r) => r.msg)).toEqual([
      `What your terminal sent at once (${long.length} bytes) is more than the BBS\nreads in one go (65536 bytes), so none of it was read. Send less at a time.`,
      expect.stringContaining("What's your name?"),
    ]);
    // A thousand more from a connection with no call here (behind Mongrel2, another handler may
    // hold it), each answered: the log has the first of each kind, not a line each.
    const other = h.caller('60');
    const otherBefore = other.replies.length;
    for (let n = 0; n < 500; n++) {
      other.sendBody('{x}');
      other.sendBody(long);
    }
    expect(other.replies.length).toBe(otherBefore + 1000);
    // A caller with a call here who sends nothing but unreadable messages is flooding: told, and hung up.
    for (let n = 0; n < 40 && !c.closed; n++) c.sendBody('{x}');
    expect(c.closed).toBe(true);
    expect(c.replies.at(-1)?.msg.replace(/\s+/g, ' ')).toContain('What your terminal sent could not be read 33 times in a row, so the BBS is hanging up.');
    const logged = records.filter((r) => r.msg === 'malformed message from caller');
    expect(logged.map((r) => r.reason)).toEqual([`message of ${long.length} bytes is over the 65536-byte limit`, 'body is not JSON']);
    h.engine.stopEvents();
    expect(records.filter((r) => r.msg === 'more malformed messages from callers').map((r) => [r.kind, r.count])).toEqual([
      ['too-long', 500],
      // 499 from the connection with no call here, 32 from the caller (the last of them hung them up).
      ['invalid', 531],
    ]);
    h.close();
  });

  it('reads no line over 4,096 bytes (a paste of shorter ones is read whole): it is said so, and nothing of it is journaled', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db);
    const h = createHarness({ store, journal: new Journal({ store: store.journal, owner: 'A', log: createLogger('silent'), now: Date.now }) });
    const c = h.caller('8');
    await c.dial();
    const before = c.replies.length;
    // 1,366 three-byte characters: 4,098 bytes.
    c.sendBody(JSON.stringify({ type: 'msg', msg: `zed\n${'€'.repeat(1366)}` }));
    const told = c.replies.slice(before).map((r) => r.msg.replace(/\s+/g, ' '));
    expect(told).toEqual([
      'A line of 4098 bytes is more than the 4096 bytes a line may have, so nothing of what you sent with it was read, the lines around it neither. Send it again in shorter lines.',
      expect.stringContaining("What's your name?"),
    ]);
    const values = db.prepare('SELECT value FROM journal WHERE value IS NOT NULL').pluck().all() as string[];
    expect(values.some((value) => value.includes('€€€') || value.includes('zed'))).toBe(false);
    // Lines of 4,096 bytes each, pasted together, are read as they come: a name, then a password.
    const read = c.replies.length;
    await c.say(`zed\n${'a'.repeat(4096)}`);
    expect(c.replies.slice(read).map((r) => r.msg).join('\n')).not.toContain('bytes a line may have');
    expect(c.transcript()).toContain('Sign up as zed?');
    h.close();
  });

  it('takes one input at a time: lines sent during a slow service call wait their turn', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    function* slow(): Flow {
      const first = yield* ask('name');
      yield* call('countMessages');
      yield* sleep(1);
      const second = yield* ask('name');
      const third = yield* ask('name');
      yield* show('menu_error', { choice: [first, second, third].join('+'), keys: 'Q' });
      yield* ask('name');
    }
    const h = createHarness({
      startFlow: slow,
      services: (base) => ({ ...base, countMessages: () => gate.then(() => 0) as unknown as number }),
    });
    const c = h.caller('7');
    await c.dial();
    c.sendBody('{"type":"msg","msg":"one"}');
    c.sendBody('{"type":"msg","msg":"two\\nthree"}');
    const joined = c.replyMatching((reply) => reply.type === 'screen');
    release();
    expect((await joined).msg).toContain('"one+two+three"');
    h.close();
  });

  it('hangs up on a caller who floods lines ahead of the prompts', async () => {
    let release!: () => void;
    const gate = new Promise<number>((resolve) => (release = () => resolve(0)));
    function* stuck(): Flow {
      yield* ask('name');
      yield* call('countMessages');
    }
    const h = createHarness({ startFlow: stuck, services: (base) => ({ ...base, countMessages: () => gate as unknown as number }) });
    const c = h.caller('8');
    await c.dial();
    for (let i = 0; i < 40 && !c.closed; i++) c.sendBody(JSON.stringify({ type: "msg", msg: `line ${i}` }));
    expect(c.closed).toBe(true);
    expect(c.replies.at(-1)).toMatchObject({ type: 'exit', msg: expect.stringContaining('typing faster') });
    expect(h.engine.liveSessions).toBe(0);
    release();
    h.close();
  });

  it('drives 20,000 synchronous effects in one turn without overflowing the stack', async () => {
    function* chatty(): Flow {
      for (let i = 0; i < 20_000; i++) yield* call('now');
      yield* ask('name');
    }
    const h = createHarness({ startFlow: chatty });
    const c = h.caller('9');
    expect(await c.dial()).toMatchObject({ type: 'prompt' });
    h.close();
  });

  it('ends every conversation on shutdown, running their finally blocks', async () => {
    let cleaned = 0;
    function* waits(): Flow {
      try {
        yield* ask('name');
      } finally {
        cleaned++;
      }
    }
    const h = createHarness({ startFlow: waits });
    await h.caller('1').dial();
    await h.caller('2').dial();
    h.engine.endAll('shutdown');
    expect(cleaned).toBe(2);
    expect(h.engine.liveSessions).toBe(0);
    h.close();
  });
});

describe('the engine ending a flow from outside', () => {
  it("runs the effects a flow's finally yields when the caller hangs up: storage calls are made, even awaited ones", async () => {
    function* notes(): Flow {
      try {
        for (;;) yield* ask('name');
      } finally {
        // Cleanup written as effects, as a flow must write it: an awaited call, then a sync one.
        yield* show('nothing_posted');
        const caller = yield* call('register', 'leaver', 'leaver-pass');
        yield* call('wallPost', 'oneliners', caller.id, 'left mid-call');
      }
    }
    const h = createHarness({ startFlow: notes });
    const a = h.caller('1');
    await a.dial();
    a.hangUp();
    await until(() => (h.services.wallRecent('oneliners', 5).length > 0 ? true : undefined), 'the finally block to post');
    expect(h.services.wallRecent('oneliners', 5).map((l) => l.body)).toEqual(['left mid-call']);
    // Nothing was shown to a caller who is gone.
    expect(a.transcript()).not.toContain('Nothing written');
    h.close();
  });

  it('fails loudly, in the log, when a finally asks for a line nobody can type', async () => {
    const { log, records } = collectingLog();
    function* needy(): Flow {
      try {
        yield* ask('name');
      } finally {
        yield* ask('password');
      }
    }
    const h = createHarness({ startFlow: needy, log });
    const a = h.caller('1');
    await a.dial();
    a.hangUp();
    expect(records.find((r) => r.msg === 'flow asked for a line after its line closed')).toMatchObject({ conn: '1', screen: 'password' });
    expect(records.find((r) => r.msg === 'flow cleanup failed')).toMatchObject({ conn: '1', error: expect.stringContaining('the line is closed') });
    expect(h.engine.liveSessions).toBe(0);
    h.close();
  });

  it('cannot be made to loop by a finally that keeps asking: the second ask ends the flow', async () => {
    const { log, records } = collectingLog();
    function* stubborn(): Flow {
      try {
        yield* ask('name');
      } finally {
        for (;;) {
          try {
            yield* ask('password');
          } catch {
            // A flow that will not take no for an answer.
          }
        }
      }
    }
    const h = createHarness({ startFlow: stubborn, log });
    const a = h.caller('1');
    await a.dial();
    a.hangUp();
    expect(records.filter((r) => r.msg === 'flow asked for a line after its line closed')).toHaveLength(2);
    expect(h.engine.liveSessions).toBe(0);
    h.close();
  });

  it("runs a finally's effects too when the engine's own error ends the flow (a screen that does not render)", async () => {
    let authorId = 0;
    function* broken(): Flow {
      try {
        yield* showScreen('no_such_screen');
      } finally {
        yield* call('wallPost', 'oneliners', authorId, 'cleaned up after an error');
      }
    }
    const h = createHarness({ startFlow: broken });
    authorId = (await h.services.register('someone', 'someone-pass')).id;
    const a = h.caller('1');
    await a.dial();
    expect(a.replies.at(-1)).toMatchObject({ type: 'exit', msg: expect.stringContaining('Something broke on our side') });
    await until(() => (h.services.wallRecent('oneliners', 5).length > 0 ? true : undefined), 'the finally block to post');
    expect(h.services.wallRecent('oneliners', 5).map((l) => l.body)).toEqual(['cleaned up after an error']);
    h.close();
  });

  it('lets shutdown wait for cleanups that await a call, so their writes happen before the database closes', async () => {
    function* leaver(): Flow {
      try {
        yield* ask('name');
      } finally {
        const caller = yield* call('register', 'shutdown-leaver', 'leaver-pass');
        yield* call('wallPost', 'oneliners', caller.id, 'written at shutdown');
      }
    }
    const h = createHarness({ startFlow: leaver });
    await h.caller('1').dial();
    h.engine.endAll('shutdown');
    expect(h.services.wallRecent('oneliners', 5)).toEqual([]);
    await h.engine.cleanupsDone(5000);
    expect(h.services.wallRecent('oneliners', 5).map((l) => l.body)).toEqual(['written at shutdown']);
    h.close();
  });

  it('clears the timer of a sleep in progress: the flow never wakes after its caller has gone', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const woke: string[] = [];
    function* napper(): Flow {
      yield* ask('name');
      yield* sleep(60_000);
      woke.push('woke');
    }
    const h = createHarness({ startFlow: napper });
    const a = h.caller('1');
    await a.dial();
    void a.say('zed');
    expect(vi.getTimerCount()).toBe(1);
    a.hangUp();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(woke).toEqual([]);
    h.close();
  });
});
