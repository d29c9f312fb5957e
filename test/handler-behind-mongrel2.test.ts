import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyReader } from '../common/reply-reader.js';
import { JsonSocketClient, rawExchange } from './support/json-socket-client.js';
import { mongrel2TestsRun, startMongrel2Bbs, type Mongrel2Bbs, type RealMongrel2 } from './support/real-mongrel2.js';
import { wrapText } from '../handler/text-wrap.js';

const available = mongrel2TestsRun('the real-Mongrel2 line tests are');

describe.runIf(available)('a one-line m2bbs backend behind a real Mongrel2', () => {
  let bbs: Mongrel2Bbs;
  const m2 = (): RealMongrel2 => bbs.m2;

  beforeAll(async () => {
    bbs = await startMongrel2Bbs(['--max-callers', '1']);
  });

  afterAll(async () => {
    await bbs?.stop();
  });

  it('answers a second caller busy and Mongrel2 hangs it up; after the first drops, a redial gets in', async () => {
    const first = await JsonSocketClient.open(m2().port);
    first.send('connect');
    await first.untilPrompt();

    const refused = await rawExchange(m2().port, '@bbs {"type":"msg","msg":"connect"}\0');
    const { messages, errors } = new ReplyReader().push(refused);
    expect(errors).toEqual([]);
    expect(messages).toEqual([{ type: 'busy', msg: wrapText('Busy: all lines on this number are in use (1 of 1). Try another number, or call again later.', 80) }]);
    expect(await bbs.handler.waitForLog((r) => r.msg === 'busy')).toMatchObject({ live: 1, max: 1 });

    first.destroy();
    await bbs.handler.waitForLog((r) => r.msg === 'session closed' && r.reason === 'disconnect');
    const redial = await JsonSocketClient.open(m2().port);
    redial.send('connect');
    expect((await redial.untilPrompt()).prompt?.msg).toContain("What's your name?");
    redial.destroy();
  });
});
