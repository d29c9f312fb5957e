import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { mongrel2TestsRun, startMongrel2Bbs, type Mongrel2Bbs, type RealMongrel2 } from './support/real-mongrel2.js';

const available = mongrel2TestsRun('the real-Mongrel2 tests are');

describe.runIf(available)('an m2bbs backend behind a real Mongrel2', () => {
  let bbs: Mongrel2Bbs;
  const m2 = (): RealMongrel2 => bbs.m2;

  beforeAll(async () => {
    bbs = await startMongrel2Bbs(['--bad-pass-delay-ms', '0']);
  });

  afterAll(async () => {
    await bbs?.stop();
  });

  it('holds a whole conversation over a JSON socket, and its close hangs up the socket', async () => {
    const caller = await JsonSocketClient.open(m2().port);
    caller.send('connect');
    expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    expect((await caller.exchange('zed')).prompt).toMatchObject({ msg: "What's your password?", echo: false });
    await caller.exchange('luacoroutines');
    await caller.exchange('y');
    expect((await caller.exchange('luacoroutines')).prompt?.msg).toContain('Do you want to continue? (Y/n)');
    await caller.exchange('y');
    await caller.exchange('1');
    await caller.exchange('Hello from behind a real Mongrel2.');
    expect((await caller.exchange('.')).texts[0]).toBe('Your message is on the board as number 1.');
    expect((await caller.exchange('2')).texts.join('\n')).toContain('Hello from behind a real Mongrel2.');
    expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
    const bye = await caller.exchange('Q');
    expect(bye).toEqual({ texts: ['Alright, see ya later, zed.'], prompt: undefined, closed: true });
    expect(caller.errors).toEqual([]);
  });

  it('frees the coroutine when the caller drops in the middle of a prompt', async () => {
    const caller = await JsonSocketClient.open(m2().port);
    caller.send('connect');
    await caller.untilPrompt();
    const opened = await bbs.handler.waitForLog((r) => r.msg === 'session opened' && r.live === 1, bbs.handler.records.length - 1);
    caller.destroy();
    const closed = await bbs.handler.waitForLog((r) => r.msg === 'session closed' && r.conn === opened.conn);
    expect(closed).toMatchObject({ reason: 'disconnect', live: 0 });
  });
});
