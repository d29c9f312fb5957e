import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { ask, call, identify, show, type Flow } from '../handler/effects.js';
import { DEFAULT_LINE_LIMITS, type LineLimits } from '../handler/line-limits.js';
import { wrapText } from '../handler/text-wrap.js';
import { ManualClock, createHarness, registerAtMenu } from './support/harness.js';

function collectingLog() {
  const records: Record<string, unknown>[] = [];
  const log = createLogger('debug', { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, records };
}

const BUSY_TWO = wrapText('Busy: all lines on this number are in use (2 of 2). Try another number, or call again later.', 80);
const IDLE_BEFORE = wrapText('Nothing typed for 2 minutes, so the BBS is hanging up to free the line for other callers. Call again any time.', 80);
const IDLE_AFTER = wrapText('Nothing typed for 15 minutes, so the BBS is hanging up to free the line for other callers. Call again any time.', 80);
const SILENT = wrapText('Nothing typed since you called (30 seconds), so the BBS is hanging up to keep the line free for other callers. Call again and type your name when you are ready.', 80);
const TWO_LINES: LineLimits = { ...DEFAULT_LINE_LIMITS, maxCallers: 2 };

describe('lines: a backend with a fixed number of callers', () => {
  it('answers a new caller busy, then closes it, when every line is taken, and keeps the others', async () => {
    const { log, records } = collectingLog();
    const h = createHarness({ lines: TWO_LINES, log });
    await h.caller('1').dial();
    await h.caller('2').dial();
    const third = h.caller('3');
    expect(await third.dial()).toBeUndefined();
    expect(third.replies).toEqual([{ type: 'busy', msg: BUSY_TWO }]);
    expect(third.closed).toBe(true);
    expect(h.engine.liveSessions).toBe(2);
    expect(records.find((r) => r.msg === 'busy')).toMatchObject({ level: 'info', conn: '3', live: 2, max: 2 });
    expect(records.filter((r) => r.msg === 'session opened').map((r) => [r.conn, r.live, r.max])).toEqual([
      ['1', 1, 2],
      ['2', 2, 2],
    ]);
    // The callers who got in are served as before.
    expect((await h.caller('1').say('zed'))?.msg).toBe("What's your password?");
    h.close();
  });

  it('takes every caller when no limit is set', async () => {
    const h = createHarness();
    for (let i = 1; i <= 50; i++) expect(await h.caller(String(i)).dial()).toMatchObject({ type: 'prompt' });
    expect(h.engine.liveSessions).toBe(50);
    h.close();
  });

  it('frees a line when a caller quits, when one drops, and when one is hung up on for idling', async () => {
    const { log, records } = collectingLog();
    const clock = new ManualClock();
    const h = createHarness({ lines: TWO_LINES, now: clock.now, log });
    const quitter = await registerAtMenu(h, '1', 'quitter', 'password1');
    const dropper = h.caller('2');
    await dropper.dial();
    expect(await h.caller('3').dial()).toBeUndefined();

    expect(await quitter.say('Q')).toBeUndefined();
    expect(records.at(-1)).toMatchObject({ msg: 'session closed', conn: '1', reason: 'flow ended', live: 1, max: 2, caller: 'quitter' });
    const second = h.caller('4');
    expect(await second.dial()).toMatchObject({ type: 'prompt', msg: expect.stringContaining("What's your name?") });
    expect(await h.caller('5').dial()).toBeUndefined();

    dropper.hangUp();
    expect(records.at(-1)).toMatchObject({ msg: 'session closed', conn: '2', reason: 'disconnect', live: 1, max: 2 });
    const third = h.caller('6');
    expect(await third.dial()).toMatchObject({ type: 'prompt' });
    expect(await h.caller('7').dial()).toBeUndefined();

    clock.advance(DEFAULT_LINE_LIMITS.idleBeforeLoginSeconds);
    expect(h.engine.sweep()).toBe(2);
    expect(h.engine.liveSessions).toBe(0);
    expect(await h.caller('8').dial()).toMatchObject({ type: 'prompt' });
    expect(records.filter((r) => r.msg === 'busy').map((r) => r.conn)).toEqual(['3', '5', '7']);
    h.close();
  });
});

describe('lines: hanging up on idle callers', () => {
  it('hangs up after 30 seconds on a caller who has typed nothing since calling, saying so; any line typed gives the 2 minutes', async () => {
    const { log, records } = collectingLog();
    const clock = new ManualClock();
    const h = createHarness({ now: clock.now, log });
    const silent = h.caller('1');
    await silent.dial();
    const talker = h.caller('2');
    await talker.dial();
    // Too short for a name: asked again, still not logged in, but something was typed.
    await talker.say('x');

    clock.advance(29);
    expect(h.engine.sweep()).toBe(0);
    clock.advance(1);
    expect(h.engine.sweep()).toBe(1);
    expect(silent.replies.at(-1)).toEqual({ type: 'exit', msg: SILENT });
    expect(silent.closed).toBe(true);
    expect(records.at(-1)).toMatchObject({ msg: 'session closed', conn: '1', reason: 'silent since calling', live: 1 });
    clock.advance(89);
    expect(h.engine.sweep()).toBe(0);
    clock.advance(1);
    expect(h.engine.sweep()).toBe(1);
    expect(talker.replies.at(-1)).toEqual({ type: 'exit', msg: IDLE_BEFORE });
    expect(h.engine.liveSessions).toBe(0);
  });

  it('hangs up on a caller who has not logged in within 10 minutes however much they type, and never on one who has', async () => {
    const { log, records } = collectingLog();
    const clock = new ManualClock();
    const h = createHarness({ now: clock.now, log });
    const stalling = h.caller('1');
    await stalling.dial();
    await h.services.register('ann', 'password1');
    const ann = h.caller('2');
    await ann.dial();
    await ann.say('ann');
    await ann.say('password1');
    // A blank name every 100 s (and an unreadable message): never idle, never logged in.
    for (let at = 100; at <= 500; at += 100) {
      clock.advance(100);
      if (at % 200 === 0) stalling.sendBody('{x}');
      else await stalling.say('');
      expect(h.engine.sweep()).toBe(0);
    }
    clock.advance(99);
    expect(h.engine.sweep()).toBe(0);
    expect(stalling.closed).toBe(false);
    clock.advance(1);
    expect(h.engine.sweep()).toBe(1);
    expect(stalling.replies.at(-1)).toEqual({ type: 'exit', msg: wrapText('You have been calling for 10 minutes without logging in, so the BBS is hanging up to free the line for other callers. Call again when you are ready to log in.', 80) });
    expect(stalling.closed).toBe(true);
    expect(records.at(-1)).toMatchObject({ msg: 'session closed', conn: '1', reason: 'not logged in in time' });
    // ann logged in at once: her 10 minutes at the MOTD are within the 15 a logged-in caller may be silent.
    expect(ann.closed).toBe(false);
    h.close();
  });

  it('tells a caller who has not logged in why the line drops after 2 minutes, a logged-in one after 15', async () => {
    const { log, records } = collectingLog();
    const clock = new ManualClock();
    // The shorter limit for a caller who never typed is tested below.
    const h = createHarness({ now: clock.now, log, lines: { ...DEFAULT_LINE_LIMITS, idleBeforeTypingSeconds: 0 } });
    await h.services.register('oldtimer', 'password1');
    const stranger = h.caller('1');
    await stranger.dial();
    const newcomer = await registerAtMenu(h, '2', 'newcomer', 'password1');
    const regular = h.caller('3');
    await regular.dial();
    await regular.say('oldtimer');
    await regular.say('password1');
    await regular.say('');

    clock.advance(119);
    expect(h.engine.sweep()).toBe(0);
    clock.advance(1);
    expect(h.engine.sweep()).toBe(1);
    expect(stranger.replies.at(-1)).toEqual({ type: 'exit', msg: IDLE_BEFORE });
    expect(stranger.closed).toBe(true);
    expect(stranger.transcript().endsWith(`${IDLE_BEFORE.split('\n').map((line) => `BBS| ${line}`).join('\n')}\n-- line closed --`)).toBe(true);
    expect(records.at(-1)).toMatchObject({ msg: 'session closed', conn: '1', reason: 'idle', live: 2, max: null });
    expect(records.at(-1)).not.toHaveProperty('caller');

    // Answering a prompt starts the wait again.
    clock.advance(600);
    expect((await regular.say('9'))?.msg).toContain('MAIN MENU');
    clock.advance(179);
    expect(h.engine.sweep()).toBe(0);
    clock.advance(1);
    expect(h.engine.sweep()).toBe(1);
    expect(newcomer.replies.at(-1)).toEqual({ type: 'exit', msg: IDLE_AFTER });
    expect(newcomer.closed).toBe(true);
    expect(records.at(-1)).toMatchObject({ msg: 'session closed', conn: '2', reason: 'idle', caller: 'newcomer' });
    expect(regular.closed).toBe(false);
    clock.advance(719);
    expect(h.engine.sweep()).toBe(0);
    clock.advance(1);
    expect(h.engine.sweep()).toBe(1);
    expect(regular.replies.at(-1)).toEqual({ type: 'exit', msg: IDLE_AFTER });
    expect(h.engine.liveSessions).toBe(0);
    h.close();
  });

  it('shows a caller hung up on mid-message what they had written, after the notice, and posts nothing', async () => {
    const clock = new ManualClock();
    const store = createStore(openDatabase(':memory:'));
    const h = createHarness({ now: clock.now, store });
    const writer = await registerAtMenu(h, '1', 'writer', 'password1');
    expect(await writer.say('1')).toMatchObject({ type: 'prompt', pchar: ' 1> ' });
    await writer.say('Half a thought');
    await writer.say('');
    clock.advance(DEFAULT_LINE_LIMITS.idleAfterLoginSeconds);
    expect(h.engine.sweep()).toBe(1);
    expect(writer.replies.slice(-2)).toEqual([
      { type: 'screen', msg: IDLE_AFTER },
      { type: 'exit', msg: 'What you were writing was not posted; it is kept for your next call.\nHere is what you had written:\n\nHalf a thought\n' },
    ]);
    expect(writer.closed).toBe(true);
    expect(store.countMessages()).toBe(0);
    h.close();
  });

  it('shows a reply hung up on what the caller wrote after the quote, and nothing when only the quote was there', async () => {
    const clock = new ManualClock();
    const h = createHarness({ now: clock.now });
    const ann = (await h.services.register('ann', 'password1')).id;
    h.services.postToArea(h.services.listAreas()[0]!.id, ann, 'Quote me.', null);
    const quoteOnly = await registerAtMenu(h, '1', 'quoter', 'password1');
    await quoteOnly.say('2');
    await quoteOnly.say('R');
    expect(await quoteOnly.say('')).toMatchObject({ type: 'prompt', pchar: ' 2> ' });
    const writer = await registerAtMenu(h, '2', 'replier', 'password1');
    await writer.say('2');
    await writer.say('R');
    await writer.say('');
    expect(await writer.say('My answer')).toMatchObject({ type: 'prompt', pchar: ' 3> ' });
    clock.advance(DEFAULT_LINE_LIMITS.idleAfterLoginSeconds);
    expect(h.engine.sweep()).toBe(2);
    expect(quoteOnly.replies.at(-1)).toEqual({ type: 'exit', msg: IDLE_AFTER });
    expect(writer.replies.at(-1)).toEqual({ type: 'exit', msg: 'What you were writing was not posted; it is kept for your next call.\nHere is what you had written:\n\n> Quote me.\nMy answer' });
    h.close();
  });

  it('ends the coroutine (thrown LineEnded), so its finally blocks run, and pings do not count as typing', async () => {
    const finished: string[] = [];
    function* guarded(): Flow {
      try {
        const name = yield* ask('name');
        yield* identify(name);
        yield* ask('menu', { name, title: 'MAIN MENU', entries: 'Q. Quit the BBS.', keys: 'Q' });
      } finally {
        finished.push('cleaned up');
      }
    }
    const clock = new ManualClock();
    const h = createHarness({ startFlow: guarded, now: clock.now, lines: { maxCallers: 1, idleBeforeLoginSeconds: 30, idleAfterLoginSeconds: 90 } });
    const c = h.caller('1');
    await c.dial();
    await c.say('zed');
    clock.advance(60);
    c.sendBody('{"type":"ping"}');
    clock.advance(30);
    expect(h.engine.sweep()).toBe(1);
    expect(c.replies.at(-1)).toEqual({ type: 'exit', msg: expect.stringContaining('Nothing typed for 90 seconds') });
    expect(finished).toEqual(['cleaned up']);
    expect(await h.caller('2').dial()).toMatchObject({ type: 'prompt' });
    h.close();
  });

  it('does not hang up on a caller waiting on a slow service call, and counts from the prompt after it', async () => {
    let release!: () => void;
    const gate = new Promise<number>((resolve) => (release = () => resolve(7)));
    function* slow(): Flow {
      yield* ask('name');
      const count = yield* call('countMessages');
      yield* show('read_msg', { count });
      yield* ask('name');
    }
    const clock = new ManualClock();
    const h = createHarness({
      startFlow: slow,
      now: clock.now,
      services: (base) => ({ ...base, countMessages: () => gate as unknown as number }),
      // An hour in a service is past the time to log in too: this is about the idle limit alone.
      lines: { ...DEFAULT_LINE_LIMITS, loginWithinSeconds: 0 },
    });
    const c = h.caller('1');
    await c.dial();
    c.sendBody('{"type":"msg","msg":"go"}');
    clock.advance(3600);
    expect(h.engine.sweep()).toBe(0);
    expect(c.closed).toBe(false);
    const prompt = c.replyMatching((reply) => reply.type === 'prompt');
    release();
    await prompt;
    expect(h.engine.sweep()).toBe(0);
    clock.advance(120);
    expect(h.engine.sweep()).toBe(1);
    expect(c.closed).toBe(true);
    h.close();
  });

  it('never hangs up when both idle limits are 0', async () => {
    const clock = new ManualClock();
    const h = createHarness({ now: clock.now, lines: { maxCallers: 0, idleBeforeLoginSeconds: 0, idleAfterLoginSeconds: 0 } });
    await h.caller('1').dial();
    clock.advance(86_400 * 365);
    expect(h.engine.sweep()).toBe(0);
    expect(h.engine.liveSessions).toBe(1);
    h.close();
  });
});
