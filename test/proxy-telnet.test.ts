import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

describe('the telnet door, end to end', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 2, telnetNegotiationMs: 300 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('a telnet caller reads the message a page caller posted', async () => {
    const page = await WsCaller.open(bbs.frontPort);
    await page.untilPrompt();
    for (const line of ['pager', 'page-pass', 'y', 'page-pass', '', '1', 'Hello telnet, from the page. Ünïcödé!']) await page.exchange(line);
    await page.exchange('.');
    await page.exchange('Q');

    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    await telnet.waitFor("What's your name?");
    await telnet.type('telly', "What's your password?");
    const afterPassword = await telnet.type('telnet-pw', 'Sign up as telly?');
    expect(afterPassword).not.toContain('telnet-pw');
    await telnet.type('y', 'same password again');
    await telnet.type('telnet-pw', 'Do you want to continue?');
    await telnet.type('', 'MAIN MENU');
    const board = await telnet.type('2', /That's all in General/);
    expect(board).toContain('from pager');
    expect(board).toContain('Hello telnet, from the page. Ünïcödé!');
    expect(board).toContain('\r\n');
    await telnet.type('', 'MAIN MENU');
    await telnet.type('q', 'see ya later, telly');
    await telnet.whenClosed();
    expect(telnet.text).not.toContain('telnet-pw');
  });

  it('a caller that negotiates nothing (like nc) still gets a usable line-mode BBS in plain ASCII', async () => {
    const nc = await TelnetCaller.open(bbs.telnetPort, null);
    await nc.waitFor("What's your name?");
    await nc.type('plainjane', "What's your password?");
    await nc.type('plain-pass', 'Sign up as plainjane?');
    await nc.type('y', 'same password again');
    await nc.type('plain-pass', 'Do you want to continue?');
    await nc.type('', 'MAIN MENU');
    const board = await nc.type('2', /That's all in General/);
    expect(board).toContain('Hello telnet, from the page. Unicode!');
    expect(board).not.toMatch(/\x1b\[/);
    nc.close();
  });
});
