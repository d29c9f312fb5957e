import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

// A menu choice the flow answers at once never queues up, so only how many lines came at once
// shows a flood; the proxy batches requests as under `m2bbs start`.
describe('a logged-in caller who sends hundreds of lines at once', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 1, batch: true });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('is told to slow down and hung up on, not answered hundreds of times (JSON socket)', async () => {
    const caller = await JsonSocketClient.open(bbs.frontPort);
    caller.send('connect');
    await caller.untilPrompt();
    await caller.exchange('menuflood');
    await caller.exchange('menuflood-pass');
    await caller.exchange('Y');
    await caller.exchange('menuflood-pass');
    expect((await caller.exchange('Y')).prompt?.msg).toContain('MAIN MENU');
    caller.sendRaw(Array.from({ length: 300 }, () => `@bbs ${JSON.stringify({ type: 'msg', msg: '2' })}\0`).join(''));
    const texts: string[] = [];
    let menus = 0;
    for (;;) {
      const turn = await caller.untilPrompt();
      texts.push(...turn.texts);
      if (turn.closed) break;
      if (turn.prompt?.msg.includes('MAIN MENU') === true) menus++;
    }
    expect(texts.at(-1)).toContain('typing faster');
    // The first line answers the menu already shown; 32 more may be typed ahead.
    expect(menus).toBeLessThanOrEqual(33);
    caller.destroy();
  });

  it('is told to slow down and hung up on, not answered hundreds of times (telnet)', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, null);
    try {
      await telnet.signUpToMenu('telflood', 'telflood-pass');
      const from = telnet.text.length;
      telnet.sendRaw('2\r\n'.repeat(300));
      await telnet.whenClosed();
      const after = telnet.text.slice(from);
      expect(after).toContain('typing faster');
      expect(after.split('MAIN MENU').length - 1).toBeLessThanOrEqual(33);
    } finally {
      telnet.close();
    }
  });
});

describe('a caller who pastes a whole message at once', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 1, batch: true, handlerArgs: ['--max-lines', '50'] });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('gets all 40 lines posted, not hung up for typing ahead: a caller may send a whole message at once', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, null);
    try {
      await telnet.signUpToMenu('paster', 'paster-pass');
      await telnet.type('1', ' 1> ');
      const from = telnet.text.length;
      const lines = Array.from({ length: 40 }, (_, i) => `pasted line ${i + 1}`);
      telnet.sendRaw(`${[...lines, '.'].join('\r\n')}\r\n`);
      await telnet.waitFor('on the board as number 1');
      expect(telnet.text.slice(from)).not.toContain('typing faster');
      expect(telnet.closed).toBe(false);
    } finally {
      telnet.close();
    }
  });
});
