import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { RealMongrel2, hasMongrel2 } from './support/real-mongrel2.js';

// CI installs Debian's mongrel2-core and sets M2BBS_REQUIRE_MONGREL2, so there this can't be skipped.
const available = hasMongrel2();
if (!available && process.env.M2BBS_REQUIRE_MONGREL2) throw new Error('mongrel2 is required here: apt-get install mongrel2-core');
if (!available) console.warn('mongrel2 not installed (apt-get install mongrel2-core): the real-Mongrel2 tests are not run');

describe.runIf(available)('an m2bbs backend behind a real Mongrel2', () => {
  let m2: RealMongrel2;
  let handler: HandlerProcess;

  beforeAll(async () => {
    m2 = await RealMongrel2.start();
    handler = HandlerProcess.start(['--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--bad-pass-delay-ms', '0']);
    await handler.waitForLog((r) => r.msg === 'handler ready');
  });

  afterAll(async () => {
    await handler?.stop();
    await m2?.stop();
  });

  it('holds a whole conversation over a JSON socket, and its close hangs up the socket', async () => {
    const caller = await JsonSocketClient.open(m2.port);
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
    const bye = await caller.exchange('Q');
    expect(bye).toEqual({ texts: ['Alright, see ya later, zed.'], prompt: undefined, closed: true });
    expect(caller.errors).toEqual([]);
  });

  it('frees the coroutine when the caller drops in the middle of a prompt', async () => {
    const caller = await JsonSocketClient.open(m2.port);
    caller.send('connect');
    await caller.untilPrompt();
    const opened = await handler.waitForLog((r) => r.msg === 'session opened' && r.live === 1, handler.records.length - 1);
    caller.destroy();
    const closed = await handler.waitForLog((r) => r.msg === 'session closed' && r.conn === opened.conn);
    expect(closed).toMatchObject({ reason: 'disconnect', live: 0 });
  });
});
