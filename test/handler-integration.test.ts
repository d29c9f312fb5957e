import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseReply } from '../common/mongrel2-wire.js';
import { FakeMongrel2, M2_UUID } from './support/fake-mongrel2.js';
import { HandlerProcess } from './support/handler-process.js';
import { wrapText } from '../handler/text-wrap.js';

// A real `m2bbs handler` process behind real ZeroMQ sockets bound as Mongrel2 binds them.
describe('m2bbs handler behind a Mongrel2-protocol server', () => {
  let m2: FakeMongrel2;
  let handler: HandlerProcess;

  beforeEach(async () => {
    m2 = await FakeMongrel2.start();
    handler = HandlerProcess.start(['--name', 'bbs.10', '--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--bad-pass-delay-ms', '0']);
    await handler.ready();
  });

  afterEach(async () => {
    expect(await handler.stop()).toBe(0);
    await m2.close();
  });

  it('serves whole conversations: register, post, read back, mail, and the recipient reads it', async () => {
    // Bob signs up first, so that Alice has someone to mail.
    await m2.say('2', 'connect');
    expect((await m2.untilPrompt('2')).texts.join('\n')).toContain('Welcome to the M2BBS.');
    await m2.exchange('2', 'bob');
    await m2.exchange('2', 'b0b-secret');
    await m2.exchange('2', 'y');
    await m2.exchange('2', 'b0b-secret');
    expect((await m2.exchange('2', 'y')).prompt?.msg).toContain('---(((MAIN MENU))---');
    const bobQuits = await m2.exchange('2', 'Q');
    expect(bobQuits).toEqual({ texts: ['Alright, see ya later, bob.'], prompt: undefined, closed: true });

    await m2.say('1', 'connect');
    await m2.untilPrompt('1');
    const pass = await m2.exchange('1', 'alice');
    expect(pass.prompt).toEqual({ type: 'prompt', msg: "What's your password?", pchar: '> ', echo: false });
    expect((await m2.exchange('1', 'wonderland')).prompt?.msg).toContain('Sign up as alice? (Y/n)');
    expect((await m2.exchange('1', 'y')).prompt).toMatchObject({ echo: false });
    const motd = await m2.exchange('1', 'wonderland');
    expect(motd.texts[0]).toContain('Welcome aboard, alice!');
    expect(motd.prompt?.msg).toContain('Do you want to continue? (Y/n)');
    await m2.exchange('1', 'Y');
    expect((await m2.exchange('1', '1')).prompt).toMatchObject({ pchar: ' 1> ' });
    await m2.exchange('1', 'Curiouser and curiouser!');
    await m2.exchange('1', 'Ünïcödé survives too.');
    expect((await m2.exchange('1', '.')).texts[0]).toBe('Your message is on the board as number 1.');
    const board = await m2.exchange('1', '2');
    expect(board.texts.join('\n')).toMatch(/--- #1 from alice, \d{4}-\d\d-\d\d \d\d:\d\d UTC\nCuriouser and curiouser!\nÜnïcödé survives too\./);
    // The end of the board asks (R replies); Enter goes back to the menu.
    expect(board.prompt?.msg).toContain("That's all in");
    await m2.exchange('1', '');
    await m2.exchange('1', '3');
    expect((await m2.exchange('1', 'Bob')).texts.join('\n')).toContain('Message to bob');
    await m2.exchange('1', 'Meet me at the tea party.');
    expect((await m2.exchange('1', '.')).texts).toEqual(['Sent to bob.', expect.stringContaining('MAIN MENU')]);
    const aliceQuits = await m2.exchange('1', 'q');
    expect(aliceQuits.closed).toBe(true);

    await m2.say('3', 'connect');
    await m2.untilPrompt('3');
    await m2.exchange('3', 'BOB');
    const bobMotd = await m2.exchange('3', 'b0b-secret');
    expect(bobMotd.prompt?.msg).toContain('This is call number 2 for you');
    expect(bobMotd.prompt?.msg).toContain('New messages waiting for you: 1');
    await m2.exchange('3', '');
    const inbox = await m2.exchange('3', '4');
    expect(inbox.texts.join('\n')).toMatch(/New messages for you: 1 of 1[\s\S]*\[NEW\] from alice, .*\nMeet me at the tea party\./);
    expect((await m2.exchange('3', 'Q')).closed).toBe(true);

    // Every reply went to the server that asked, addressed to exactly one connection, and each
    // conversation ended with an exit reply followed by the empty-body close.
    const replies = m2.frames.map(parseReply);
    expect(new Set(replies.map((r) => r.uuid))).toEqual(new Set([M2_UUID]));
    expect(replies.every((r) => r.connIds.length === 1)).toBe(true);
    const closes = m2.frames.filter((frame) => parseReply(frame).body.length === 0);
    expect(closes.map((frame) => frame.toString())).toEqual([`${M2_UUID} 1:2, `, `${M2_UUID} 1:1, `, `${M2_UUID} 1:3, `]);
    expect(handler.stderrText).not.toContain('wonderland');
    expect(handler.stderrText).not.toContain('b0b-secret');
  });

  it('frees the coroutine of a caller who disconnects in the middle of a prompt', async () => {
    await m2.say('7', 'connect');
    await m2.untilPrompt('7');
    await m2.say('8', 'connect');
    await m2.untilPrompt('8');
    const opened = await handler.waitForLog((r) => r.msg === 'session opened' && r.conn === '8');
    expect(opened.live).toBe(2);
    const password = await m2.exchange('7', 'carol');
    expect(password.prompt).toMatchObject({ echo: false });
    await m2.disconnect('7');
    const closed = await handler.waitForLog((r) => r.msg === 'session closed' && r.conn === '7');
    expect(closed).toMatchObject({ reason: 'disconnect', live: 1 });
    // The other caller is still served.
    expect((await m2.exchange('8', 'dave')).prompt?.msg).toBe("What's your password?");
  });

  it('sends the replies of one turn as one multipart message, one whole frame per part, as Mongrel2 reads them', async () => {
    await m2.say('4', 'connect');
    const greeting = await m2.untilPrompt('4');
    expect(greeting.texts.length).toBeGreaterThan(1);
    expect(m2.partsPerMessage).toEqual([greeting.texts.length]);
    for (const frame of m2.frames) expect(parseReply(frame).connIds).toEqual(['4']);
  });

  it('accepts tnetstring headers, and drops a malformed frame without harm to anyone', async () => {
    await m2.sendRaw(Buffer.from('not a mongrel2 frame at all'));
    await handler.waitForLog((r) => r.msg === 'malformed request frame dropped');
    await m2.say('9', 'connect', 'tnetstring');
    expect((await m2.untilPrompt('9')).prompt?.msg).toContain("What's your name?");
  });
});

// The same real process and sockets, with one line.
describe('m2bbs handler with a limited number of lines', () => {
  let m2: FakeMongrel2;
  let handler: HandlerProcess | undefined;

  beforeEach(async () => {
    m2 = await FakeMongrel2.start();
  });

  afterEach(async () => {
    expect(await handler?.stop()).toBe(0);
    handler = undefined;
    await m2.close();
  });

  async function startHandler(...flags: string[]): Promise<HandlerProcess> {
    handler = HandlerProcess.start(['--name', 'bbs.10', '--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--max-callers', '1', ...flags]);
    await handler.ready();
    return handler;
  }

  const framesTo = (connId: string): Buffer[] => m2.frames.filter((frame) => parseReply(frame).connIds.includes(connId));

  it('answers a second caller busy and closes it; once the first quits, the next call gets in', async () => {
    const handler = await startHandler();
    await m2.say('1', 'connect');
    await m2.untilPrompt('1');
    await m2.say('2', 'connect');
    expect(await m2.untilPrompt('2')).toEqual({ texts: [expect.stringContaining('Busy')], prompt: undefined, closed: true });
    const refused = framesTo('2');
    expect(refused).toHaveLength(2);
    expect(JSON.parse(parseReply(refused[0] as Buffer).body.toString('utf8'))).toEqual({
      type: 'busy',
      msg: wrapText('Busy: all lines on this number are in use (1 of 1). Try another number, or call again later.', 80),
    });
    expect(refused[1]?.toString()).toBe(`${M2_UUID} 1:2, `);
    expect(await handler.waitForLog((r) => r.msg === 'busy')).toMatchObject({ conn: '2', live: 1, max: 1 });
    expect(handler.records.some((r) => r.msg === 'session opened' && r.conn === '2')).toBe(false);

    await m2.exchange('1', 'alice');
    await m2.exchange('1', 'wonderland');
    await m2.exchange('1', 'y');
    await m2.exchange('1', 'wonderland');
    expect((await m2.exchange('1', '')).prompt?.msg).toContain('MAIN MENU');
    expect((await m2.exchange('1', 'Q')).closed).toBe(true);
    const freed = await handler.waitForLog((r) => r.msg === 'session closed' && r.conn === '1');
    expect(freed).toMatchObject({ reason: 'flow ended', live: 0, max: 1, caller: 'alice' });

    // The refused caller redials: a new connection, as Mongrel2 gives every connection.
    await m2.say('3', 'connect');
    expect((await m2.untilPrompt('3')).prompt?.msg).toContain("What's your name?");
    expect(await handler.waitForLog((r) => r.msg === 'session opened' && r.conn === '3')).toMatchObject({ live: 1, max: 1 });
    expect(framesTo('2')).toHaveLength(2);
  });

  it('tells a silent caller why the line drops, closes it, and frees the line', async () => {
    const handler = await startHandler('--idle-before-login', '1', '--idle-after-login', '60');
    await m2.say('5', 'connect');
    await m2.untilPrompt('5');
    expect(await m2.untilPrompt('5')).toEqual({
      texts: [wrapText('Nothing typed for 1 second, so the BBS is hanging up to free the line for other callers. Call again any time.', 80)],
      prompt: undefined,
      closed: true,
    });
    expect(await handler.waitForLog((r) => r.msg === 'session closed' && r.conn === '5')).toMatchObject({ reason: 'idle', live: 0, max: 1 });
    await m2.say('6', 'connect');
    expect((await m2.untilPrompt('6')).prompt?.msg).toContain("What's your name?");
  });
});
