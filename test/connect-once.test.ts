import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

const CONNECT = 'ATDT @bbs.10 ... CONNECT';

describe('CONNECT', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 1, lines: 2, telnetNegotiationMs: 100 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('is shown once per call, the same way, on the JSON socket (any line or a named number) and over WebSocket', async () => {
    for (const route of ['@bbs', '@bbs.10']) {
      const caller = await JsonSocketClient.open(bbs.frontPort, route);
      caller.send('connect');
      const { texts } = await caller.untilPrompt();
      expect(texts.filter((text) => text.includes('CONNECT')), route).toEqual([CONNECT]);
      expect(texts[0], route).toBe(CONNECT);
      caller.destroy();
    }
    for (const path of ['/ws', '/ws?route=@bbs.10']) {
      const caller = await WsCaller.open(bbs.frontPort, path);
      const { texts } = await caller.untilPrompt();
      expect(texts.filter((text) => text.includes('CONNECT')), path).toEqual([CONNECT]);
      // Later turns never say it again.
      const next = await caller.exchange('someone');
      expect(next.texts.some((text) => text.includes('CONNECT'))).toBe(false);
      caller.ws.close();
    }
  });

  it('is shown once per call, the same way, over telnet', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    onTestFinished(() => telnet.close());
    const screen = await telnet.waitFor("What's your name?");
    expect(screen.match(/ATDT @bbs\.10 \.\.\. CONNECT/g)).toHaveLength(1);
    expect(screen.match(/CONNECT/g)).toHaveLength(1);
  });

  it('is not shown to a caller whose named number answers busy', async () => {
    const holders = await Promise.all([0, 1].map(() => JsonSocketClient.open(bbs.frontPort, '@bbs.10')));
    onTestFinished(() => holders.forEach((holder) => holder.destroy()));
    for (const holder of holders) {
      holder.send('connect');
      await holder.untilPrompt();
    }
    const refused = await JsonSocketClient.open(bbs.frontPort, '@bbs.10');
    onTestFinished(() => refused.destroy());
    refused.send('connect');
    const turn = await refused.untilPrompt();
    expect(turn.closed).toBe(true);
    expect(turn.texts).toEqual([expect.stringContaining('Busy: all lines on this number are in use')]);
  });
});
