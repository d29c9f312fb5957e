/**
 * A call that moves after its backend died, whose first prompt naming its caller comes from the
 * backend it moved to, stops counting against its address's cap like any other logged-in call.
 * Two hand-played m2bbs numbers (plain ZeroMQ sockets) make the timing exact: the login is the
 * input the dead backend never answered, resent to the new one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeReply, isDisconnect, type Mongrel2Request } from '../common/mongrel2-wire.js';
import { ForeignHandler } from './support/foreign-handler.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { startProxyWithHandler, type ProxyWithHandler } from './support/proxy-with-handler.js';

let started: ProxyWithHandler | undefined;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) step();
  await started?.close();
  started = undefined;
});

const prompt = (fields: object): string => JSON.stringify({ type: 'prompt', ...fields, pchar: '> ' });
const typed = (text: string) => (r: Mongrel2Request): boolean => !isDisconnect(r) && r.body.toString().includes(JSON.stringify(text));

describe('a moved call whose first logged-in prompt comes from its new backend', () => {
  it('stops counting against its address, so the next caller from there gets in', async () => {
    const caps = { maxPerAddress: 1, maxConnections: 0, connectionsPerMinute: 0, headerTimeoutMs: 10_000, hosts: [] };
    const s = (started = await startProxyWithHandler({ caps }, 2, true));
    const { proxy, handler: first } = s;

    const caller = await JsonSocketClient.open(proxy.front.port, '@bbs');
    cleanup.push(() => caller.destroy());
    caller.send('connect');
    const dialled = await first.next(typed('connect'));
    await first.reply(encodeReply(dialled.uuid, [dialled.connId], prompt({ seq: 1, msg: "What's your name?" })));
    expect((await caller.untilPrompt()).prompt?.msg).toBe("What's your name?");
    expect(proxy.caps.loggingIn('127.0.0.1')).toBe(1);

    // The second number comes up; the first dies with the login typed but not answered.
    const spec = proxy.backends[1];
    const second = ForeignHandler.connect(spec?.sendSpec ?? '', spec?.recvSpec ?? '');
    cleanup.push(() => second.close());
    await proxy.whenUp('bbs.11');
    caller.send('alice');
    await first.next(typed('alice'));
    first.close();

    const resent = await second.next(typed('alice'));
    expect(resent.headers).toMatchObject({ RESUME: '1', ACKED: '1', SEQ: '2' });
    await second.reply(encodeReply(resent.uuid, [resent.connId], prompt({ seq: 2, caller: 'alice', msg: 'MAIN MENU' })));
    const moved = await caller.untilPrompt();
    expect(moved.texts).toContain('-- line moved to @bbs.11 --');
    expect(moved.prompt?.msg).toBe('MAIN MENU');

    await until(() => (proxy.caps.loggingIn('127.0.0.1') === 0 ? true : undefined), 'the moved, logged-in call to stop counting against its address', 5000);
    const next = await JsonSocketClient.open(proxy.front.port, '@bbs');
    cleanup.push(() => next.destroy());
    next.send('connect');
    const call = await second.next(typed('connect'));
    await second.reply(encodeReply(call.uuid, [call.connId], prompt({ seq: 1, msg: "What's your name?" })));
    expect((await next.untilPrompt()).prompt?.msg).toBe("What's your name?");
  });
});
