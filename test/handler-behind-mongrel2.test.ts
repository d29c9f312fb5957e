import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyReader } from '../common/reply-reader.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient, rawExchange } from './support/json-socket-client.js';
import { RealMongrel2, hasMongrel2 } from './support/real-mongrel2.js';

// CI installs Debian's mongrel2-core and sets M2BBS_REQUIRE_MONGREL2, so there this can't be skipped.
const available = hasMongrel2();
if (!available && process.env.M2BBS_REQUIRE_MONGREL2) throw new Error('mongrel2 is required here: apt-get install mongrel2-core');
if (!available) console.warn('mongrel2 not installed (apt-get install mongrel2-core): the real-Mongrel2 line tests are not run');

describe.runIf(available)('a one-line m2bbs backend behind a real Mongrel2', () => {
  let m2: RealMongrel2;
  let handler: HandlerProcess;

  beforeAll(async () => {
    m2 = await RealMongrel2.start();
    handler = HandlerProcess.start(['--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--max-callers', '1']);
    await handler.waitForLog((r) => r.msg === 'handler ready');
  });

  afterAll(async () => {
    await handler?.stop();
    await m2?.stop();
  });

  it('answers a second caller busy and Mongrel2 hangs it up; after the first drops, a redial gets in', async () => {
    const first = await JsonSocketClient.open(m2.port);
    first.send('connect');
    await first.untilPrompt();

    const refused = await rawExchange(m2.port, '@bbs {"type":"msg","msg":"connect"}\0');
    const { messages, errors } = new ReplyReader().push(refused);
    expect(errors).toEqual([]);
    expect(messages).toEqual([{ type: 'busy', msg: 'Busy: all lines on this number are in use (1 of 1). Try another number, or call again later.' }]);
    expect(await handler.waitForLog((r) => r.msg === 'busy')).toMatchObject({ live: 1, max: 1 });

    first.destroy();
    await handler.waitForLog((r) => r.msg === 'session closed' && r.reason === 'disconnect');
    const redial = await JsonSocketClient.open(m2.port);
    redial.send('connect');
    expect((await redial.untilPrompt()).prompt?.msg).toContain("What's your name?");
    redial.destroy();
  });
});
