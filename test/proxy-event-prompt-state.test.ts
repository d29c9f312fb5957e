/**
 * An `event` changes nothing about the call's prompt state in the proxy: a caller sitting at a
 * prompt that acknowledged everything still sits there after a chat line, so a drain hands the
 * call off at once; and an event the old backend sends after the handoff (it had not read the
 * DETACH yet) is dropped without a second disconnect that would end its conversation. Two
 * hand-played m2bbs numbers (plain ZeroMQ sockets) make the timing exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeBbsMessage, encodeEvent, encodePrompt } from '../common/bbs-messages.js';
import { encodeReply, isDisconnect, type Mongrel2Request } from '../common/mongrel2-wire.js';
import { ForeignHandler } from './support/foreign-handler.js';
import { connect } from 'node:net';
import { ReplyReader } from '../common/reply-reader.js';
import { startProxyWithHandler, type ProxyWithHandler } from './support/proxy-with-handler.js';

let started: ProxyWithHandler | undefined;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) step();
  await started?.close();
  started = undefined;
});

const typed = (text: string) => (r: Mongrel2Request): boolean => !isDisconnect(r) && r.body.toString().includes(JSON.stringify(text));
const event = (text: string): string => encodeEvent({ kind: 'chat', msg: `<zed> ${text}`, from: 'zed', room: 'main', text, at: new Date() });

describe('an event and the call\'s prompt state', () => {
  it('a caller at a prompt that acknowledged everything is handed off by a drain after an event, and the old backend\'s late event is dropped', async () => {
    const s = (started = await startProxyWithHandler({}, 2, true));
    const { proxy, handler: first } = s;
    const spec = proxy.backends[1];
    const second = ForeignHandler.connect(spec?.sendSpec ?? '', spec?.recvSpec ?? '');
    cleanup.push(() => second.close());
    await proxy.whenUp('bbs.11');

    const socket = connect(proxy.front.port, '127.0.0.1');
    cleanup.push(() => socket.destroy());
    const reader = new ReplyReader();
    const shown: { type?: string; msg?: string }[] = [];
    let heard = (): void => {};
    socket.on('data', (chunk: Buffer) => {
      shown.push(...(reader.push(chunk).messages as { msg?: string }[]));
      heard();
    });
    const until = async (msg: string, times = 1): Promise<void> => {
      while (shown.filter((m) => m.msg === msg).length < times) await new Promise<void>((resolve) => (heard = resolve));
    };
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`@bbs.10 ${JSON.stringify({ type: 'msg', msg: 'connect' })}\0`);
    const call = await first.next(typed('connect'));
    await first.reply(encodeReply(call.uuid, [call.connId], encodePrompt({ seq: 1, caller: 'alice', msg: 'Say something.', pchar: 'chat> ' })));
    await until('Say something.');

    // A chat line arrives while alice sits at the prompt; once she has it, bbs.10 begins draining.
    await first.reply(encodeReply(call.uuid, [call.connId], event('anyone here?')));
    await until('<zed> anyone here?');
    expect(proxy.drainLink(proxy.backends[0]?.sendSpec as string)).toBe(true);

    // Handed off at once: bbs.10 lets the line go, bbs.11 is asked to take the conversation on.
    const detach = await first.next((r) => isDisconnect(r) && r.connId === call.connId);
    expect(detach.headers).toMatchObject({ DETACH: '1' });
    const resumed = await second.next((r) => !isDisconnect(r));
    expect(resumed.headers).toMatchObject({ RESUME: '1' });

    // bbs.10 had not read the DETACH: its late event is dropped, then a late screen is answered with DETACH, never a plain disconnect.
    await first.reply(encodeReply(call.uuid, [call.connId], event('late')));
    await first.reply(encodeReply(call.uuid, [call.connId], encodeBbsMessage({ type: 'screen', msg: 'late screen' })));
    const again = await first.next((r) => isDisconnect(r) && r.connId === call.connId);
    expect(again.headers).toMatchObject({ DETACH: '1' });

    await second.reply(encodeReply(resumed.uuid, [resumed.connId], encodePrompt({ seq: 1, caller: 'alice', msg: 'Say something.', pchar: 'chat> ' })));
    await until('Say something.', 2);
    const texts = shown.map((m) => m.msg);
    expect(texts.slice(-2)).toEqual(['-- line moved to @bbs.11 --', 'Say something.']);
    expect(texts).not.toContain('<zed> late');
    expect(texts).not.toContain('late screen');
  });
});
