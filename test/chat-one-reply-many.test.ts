/**
 * A chat line heard by many callers of one backend goes out as ONE Mongrel2 reply naming all
 * their connection ids (handler/reply-merge.ts): a real `m2bbs handler` process behind sockets
 * bound as Mongrel2 binds them (the frames are read raw), the same behind a real Mongrel2, and
 * the m2bbs proxy delivering such a reply to each caller it names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseReply } from '../common/mongrel2-wire.js';
import { FakeMongrel2, type Received } from './support/fake-mongrel2.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import type { JsonReply } from './support/reply-queue.js';
import { mongrel2TestsRun, startMongrel2Bbs, type Mongrel2Bbs } from './support/real-mongrel2.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { createMergingOutbox, type MergedReply } from '../handler/reply-merge.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const SIGN_UP = (name: string): string[] => [name, 'secret12', 'y', 'secret12', ''];

/** The next event a connection gets whose text is `msg` (joins and the like before it are passed over). */
async function nextEvent(m2: FakeMongrel2, connId: string, msg: string): Promise<Received & { reply: unknown }> {
  for (;;) {
    const item = await m2.next(connId);
    if ('closed' in item) throw new Error(`connection ${connId} closed before the event "${msg}"`);
    if (item.reply.type === 'event' && item.reply.msg === msg) return item;
  }
}

const event = (msg: string) => (reply: JsonReply): boolean => reply.type === 'event' && reply.msg === msg;

describe('one reply to many connections', () => {
  it('a line said in a room of three on one backend reaches the two others as one reply naming both, its body once', async () => {
    const m2 = await FakeMongrel2.start();
    stops.push(() => m2.close());
    const handler = HandlerProcess.start(['--name', 'bbs.10', '--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--bad-pass-delay-ms', '0']);
    stops.push(() => handler.stop());
    await handler.ready();

    for (const [connId, name] of [['1', 'ann'], ['2', 'bob'], ['3', 'cy']] as const) {
      await m2.say(connId, 'connect');
      await m2.untilPrompt(connId);
      let menu;
      for (const line of SIGN_UP(name)) menu = await m2.exchange(connId, line);
      expect(menu?.prompt?.msg).toContain('MAIN MENU');
      expect((await m2.exchange(connId, 'C')).texts.join('\n')).toContain('You are in the chat room "main"');
    }
    await m2.say('1', 'tea for everyone');
    const [bob, cy] = await Promise.all([nextEvent(m2, '2', '<ann> tea for everyone'), nextEvent(m2, '3', '<ann> tea for everyone')]);
    expect(bob.frame).toBe(cy.frame);
    const reply = parseReply(bob.frame);
    expect([...reply.connIds].sort()).toEqual(['2', '3']);
    expect(JSON.parse(reply.body.toString('utf8'))).toMatchObject({ type: 'event', kind: 'chat', from: 'ann', room: 'main', text: 'tea for everyone' });
    // The speaker's own prompt went to the speaker alone.
    expect((await m2.untilPrompt('1')).prompt).toMatchObject({ type: 'prompt' });
    expect(m2.frames.filter((frame) => frame.includes('tea for everyone') && frame.includes('"type":"event"'))).toHaveLength(1);
  });

  it('the m2bbs proxy delivers a reply naming several callers to each of them, once', async () => {
    const bbs: TestBbs = await startTestBbs({ backends: 1, batch: true });
    stops.push(() => bbs.close());
    const callers: JsonSocketClient[] = [];
    stops.push(async () => callers.forEach((caller) => caller.destroy()));
    for (const name of ['ann', 'bob', 'cy']) {
      const caller = await JsonSocketClient.open(bbs.frontPort, '@bbs.10');
      callers.push(caller);
      await caller.exchange('connect');
      for (const line of SIGN_UP(name)) await caller.exchange(line);
      await caller.exchange('C');
    }
    const [ann, bob, cy] = callers as [JsonSocketClient, JsonSocketClient, JsonSocketClient];
    const from = [bob.heard.length, cy.heard.length];
    await ann.exchange('scones are ready');
    await bob.hears(event('<ann> scones are ready'), from[0]);
    await cy.hears(event('<ann> scones are ready'), from[1]);
    // Both still at their prompt: each answers, and heard the line once.
    expect((await bob.exchange('/who')).texts.join('\n')).toContain('In the chat (3): ann, bob, cy');
    expect((await cy.exchange('/who')).texts.join('\n')).toContain('In the chat (3)');
    expect(bob.heard.filter(event('<ann> scones are ready'))).toHaveLength(1);
    expect(cy.heard.filter(event('<ann> scones are ready'))).toHaveLength(1);
  });

  const available = mongrel2TestsRun('the real-Mongrel2 chat test is');
  it.runIf(available)('behind a real Mongrel2, the two others of a room of three each get a line said', async () => {
    const bbs: Mongrel2Bbs = await startMongrel2Bbs(['--bad-pass-delay-ms', '0']);
    stops.push(() => bbs.stop());
    const callers: JsonSocketClient[] = [];
    stops.push(async () => callers.forEach((caller) => caller.destroy()));
    for (const name of ['ann', 'bob', 'cy']) {
      const caller = await JsonSocketClient.open(bbs.m2.port);
      callers.push(caller);
      await caller.exchange('connect');
      for (const line of SIGN_UP(name)) await caller.exchange(line);
      expect((await caller.exchange('C')).texts.join('\n')).toContain('You are in the chat room "main"');
    }
    const [ann, bob, cy] = callers as [JsonSocketClient, JsonSocketClient, JsonSocketClient];
    const from = [bob.heard.length, cy.heard.length];
    await ann.exchange('the kettle is on');
    expect(await bob.hears(event('<ann> the kettle is on'), from[0])).toMatchObject({ kind: 'chat', from: 'ann' });
    expect(await cy.hears(event('<ann> the kettle is on'), from[1])).toMatchObject({ kind: 'chat', from: 'ann' });
    expect((await bob.exchange('/quit')).prompt?.msg).toContain('MAIN MENU');
  });

  it('keeps each connection\'s replies in the order they were made, merging only where that order holds', async () => {
    const sent: MergedReply[] = [];
    const outbox = createMergingOutbox((reply) => sent.push(reply));
    outbox.reply('s', '1', 'A');
    outbox.reply('s', '2', 'B');
    outbox.reply('s', '2', 'A'); // after its own B: cannot join the first A, a new reply
    outbox.reply('s', '3', 'A'); // joins the latest A
    outbox.reply('s', '1', 'B'); // its A comes before 2's B: joins it
    outbox.reply('s', '2', 'B'); // its A comes after that B: a new reply
    outbox.reply('t', '3', 'A'); // another server: never merged across
    outbox.close('s', '3');
    outbox.close('s', '1'); // closes are never merged
    outbox.reply('s', '4', 'A');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sent).toEqual([
      { uuid: 's', connIds: ['1'], body: 'A' },
      { uuid: 's', connIds: ['2', '1'], body: 'B' },
      { uuid: 's', connIds: ['2', '3', '4'], body: 'A' },
      { uuid: 's', connIds: ['2'], body: 'B' },
      { uuid: 't', connIds: ['3'], body: 'A' },
      { uuid: 's', connIds: ['3'], body: '' },
      { uuid: 's', connIds: ['1'], body: '' },
    ]);
    for (let i = 0; i < 130; i++) outbox.reply('s', String(i), 'many');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sent.slice(7).map((reply) => reply.connIds.length)).toEqual([128, 2]);
  });
});
