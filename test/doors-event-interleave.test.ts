import { connect } from 'node:net';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { encodeEvent, encodePrompt } from '../common/bbs-messages.js';
import { ReplyReader } from '../common/reply-reader.js';
import { describeInBrowser, screen, waitForLine, waitForScreen, watchForProblems } from './support/page-browser.js';
import { scriptedHandlerPerTest, typedLine } from './support/scripted-handler.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { dialInputRow, hasTmux, terminalPerTest } from './support/tmux.js';

const SAY = encodePrompt({ msg: 'Say something.', pchar: 'chat> ' });
const PASSWORD = encodePrompt({ msg: 'Password?', pchar: '> ', echo: false });
const CHAT = encodeEvent({ kind: 'chat', msg: '<zed> anyone here?', from: 'zed', room: 'main', text: 'anyone here?', at: '2026-12-06T12:00:00.000Z' });
const haveTmux = hasTmux();
if (!haveTmux && process.env.M2BBS_REQUIRE_TMUX) throw new Error('tmux is required here: apt-get install tmux');
const BACKSPACE = '\x7f';

describe('an event while the caller has half a line typed', () => {
  const bbs = scriptedHandlerPerTest();
  const { nextLine, say } = bbs;

  it('over telnet: the event shows above the input line, the half line is drawn again, still editable, and the whole line is sent', async () => {
    const telnet = await TelnetCaller.open(bbs.proxy.telnet.port, 'xterm-256color');
    try {
      const call = await nextLine();
      expect(typedLine(call)).toBe('connect');
      await say(call, SAY);
      await telnet.waitFor('chat> ');
      telnet.sendRaw('hello wo');
      await telnet.waitFor('hello wo');
      const from = telnet.text.length;
      await say(call, CHAT);
      const shown = await telnet.waitFor(/anyone here\?.*\r\n.*chat> .*hello wo$/, from);
      // Back to the start of the line, erase it, the event on a line of its own, then the line again.
      expect(shown).toMatch(/^\r\x1b\[J\x1b\[[0-9;]*m<zed> anyone here\?\x1b\[0m\r\n\x1b\[[0-9;]*mchat> \x1b\[0mhello wo$/);
      // Still the caller's line: a typo taken back with Backspace, then the rest and Enter.
      telnet.sendRaw('rlx');
      await telnet.waitFor('hello worlx');
      telnet.sendRaw(BACKSPACE);
      await telnet.type('d', '\r\n');
      expect(typedLine(await nextLine())).toBe('hello world');
    } finally {
      telnet.close();
    }
  });

  it('over telnet: at a password prompt the event shows and nothing typed is revealed; the password is sent whole', async () => {
    const { proxy } = bbs;
    const telnet = await TelnetCaller.open(proxy.telnet.port, 'xterm-256color');
    try {
      const call = await nextLine();
      await say(call, PASSWORD);
      await telnet.waitFor('Password?');
      telnet.sendRaw('hunt');
      await telnet.synced();
      await say(call, CHAT);
      await telnet.waitFor(/anyone here\?.*\r\n.*> .*$/);
      await telnet.type('er22', '\r\n');
      expect(typedLine(await nextLine())).toBe('hunter22');
      expect(telnet.text).not.toContain('hunt');
      expect(telnet.text).not.toContain('er22');
    } finally {
      telnet.close();
    }
  });

  it('over a plain telnet (nc-like, no ANSI): the event goes on the next line, then the prompt and the half line', async () => {
    const { proxy } = bbs;
    const telnet = await TelnetCaller.open(proxy.telnet.port, 'dumb');
    try {
      const call = await nextLine();
      await say(call, SAY);
      await telnet.waitFor('chat> ');
      telnet.sendRaw('hello wo');
      await telnet.waitFor('chat> hello wo');
      await say(call, CHAT);
      await telnet.waitFor('chat> hello wo\r\n<zed> anyone here?\r\nchat> hello wo');
      expect(telnet.text).not.toContain('\x1b');
      await telnet.type('rld', '\r\n');
      expect(typedLine(await nextLine())).toBe('hello world');
    } finally {
      telnet.close();
    }
  });

  it('over a JSON socket and a WebSocket: the event body is passed through as it came', async () => {
    const { proxy } = bbs;
    const socket = connect(proxy.front.port, '127.0.0.1');
    const reader = new ReplyReader();
    const isEvent = (r: unknown): boolean => (r as { type?: string }).type === 'event';
    // Each door's first event, resolved by the socket's own data or message handler.
    const jsonEvent = new Promise<unknown>((resolve) => socket.on('data', (chunk: Buffer) => reader.push(chunk).messages.filter(isEvent).forEach(resolve)));
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.front.port}/ws`);
    const wsEvent = new Promise<unknown>((resolve) => ws.on('message', (data) => {
      const reply: unknown = JSON.parse(data.toString());
      if (isEvent(reply)) resolve(reply);
    }));
    try {
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(`@bbs ${JSON.stringify({ type: 'msg', msg: 'connect' })}\0`);
      await new Promise<void>((resolve) => ws.once('open', resolve));
      const calls = [await nextLine(), await nextLine()];
      for (const call of calls) {
        await say(call, SAY);
        await say(call, CHAT);
      }
      expect(await jsonEvent).toEqual(JSON.parse(CHAT));
      expect(await wsEvent).toEqual(JSON.parse(CHAT));
    } finally {
      socket.destroy();
      ws.terminate();
    }
  });

  describe.runIf(haveTmux)('in m2bbs dial, in a real terminal (tmux)', () => {
    const terminal = terminalPerTest();

    it('the full-screen client: the event scrolls into the pane in its own colour, the input line keeps the half line, still editable, which is sent whole', async () => {
      const t = terminal();
      await t.dial(`127.0.0.1:${bbs.proxy.front.port}`);
      const call = await nextLine();
      await say(call, SAY);
      await t.until((s) => s.includes('Say something.') && dialInputRow(s).startsWith('chat>'), 'the prompt');
      t.send('hello wo');
      await t.until((s) => dialInputRow(s) === 'chat> hello wo', 'the half-typed line');
      await say(call, CHAT);
      const shown = await t.until((s) => s.includes('<zed> anyone here?'), 'the event');
      expect(dialInputRow(shown)).toBe('chat> hello wo');
      // Told apart from what the BBS itself says: an event line has a colour of its own.
      expect(t.captureStyled()).toMatch(/\x1b\[36m<zed> anyone here\?/);
      // Still the caller's line: a typo taken back with Backspace, then the rest.
      t.send('rlx');
      await t.until((s) => dialInputRow(s) === 'chat> hello worlx', 'the typo');
      t.send('', 'BSpace');
      t.send('d');
      await t.until((s) => dialInputRow(s) === 'chat> hello world', 'the finished line');
      t.send('', 'Enter');
      expect(typedLine(await nextLine())).toBe('hello world');
      t.send('', 'C-c');
      await t.shellBack();
    });

    it('the plain client: the event on a line of its own, the prompt again, the line typed across it (a typo taken back) sent whole', async () => {
      const t = terminal();
      await t.dial('--plain', `127.0.0.1:${bbs.proxy.front.port}`);
      const call = await nextLine();
      await say(call, SAY);
      await t.until((s) => s.trimEnd().endsWith('chat>'), 'the prompt');
      t.send('hello wo');
      await t.until((s) => s.trimEnd().endsWith('chat> hello wo'), 'the half-typed line');
      await say(call, CHAT);
      await t.until((s) => /chat> hello wo\n<zed> anyone here\?\nchat>\s*$/.test(s.trimEnd() + ' '), 'the event and the prompt again');
      t.send('rlx');
      await t.until((s) => s.trimEnd().endsWith('chat> rlx'), 'the typo');
      t.send('', 'BSpace');
      t.send('d', 'Enter');
      expect(typedLine(await nextLine())).toBe('hello world');
      t.send('', 'C-c');
      await t.shellBack();
    });
  });

  describeInBrowser('on the page, in a real browser', (browser) => {
    it('the event shows above the input line, the half line is drawn again and stays editable', async () => {
      const page = await browser.page();
      const problems = watchForProblems(page);
      await page.goto(`http://127.0.0.1:${bbs.proxy.front.port}/`);
      await waitForLine(page, 'connected');
      const call = await nextLine();
      await say(call, SAY);
      await waitForScreen(page, 'chat> ');
      await page.keyboard.type('hello wo');
      await waitForScreen(page, 'chat> hello wo');
      await say(call, CHAT);
      await waitForScreen(page, '<zed> anyone here?');
      await waitForScreen(page, 'anyone here?\nchat> hello wo');
      expect((await screen(page)).split('\n').slice(-2)).toEqual(['<zed> anyone here?', 'chat> hello wo']);
      // Still the caller's line: a typo taken back with Backspace, then Enter.
      await page.keyboard.type('rlx');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('d');
      await waitForScreen(page, 'chat> hello world');
      await page.keyboard.press('Enter');
      expect(typedLine(await nextLine())).toBe('hello world');
      expect((await screen(page)).split('\n').filter((line) => line.startsWith('chat>'))).toEqual(['chat> hello world']);
      expect(problems).toEqual([]);
    });
  });
});
