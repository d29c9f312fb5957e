/**
 * An `event` (a chat line, a page) arriving while the caller has half a line typed: every door
 * shows it on its own line above the input line, draws the prompt and the half line again, and
 * the caller finishes the line as if nothing had happened. A plain Mongrel2 handler behind the
 * real proxy plays the backend: it asks, the caller types half a line, it sends the event.
 */
import { connect } from 'node:net';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeEvent, encodePrompt } from '../common/bbs-messages.js';
import { encodeReply, isDisconnect, type Mongrel2Request } from '../common/mongrel2-wire.js';
import { ReplyReader } from '../common/reply-reader.js';
import { M2BBS_BIN } from './support/handler-process.js';
import { browserTestsRun, launchBrowser, screen, waitForLine, waitForScreen, watchForProblems } from './support/page-browser.js';
import { startProxyWithHandler, type ProxyWithHandler } from './support/proxy-with-handler.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { TmuxTerminal, hasTmux } from './support/tmux.js';

const SAY = encodePrompt({ msg: 'Say something.', pchar: 'chat> ' });
const PASSWORD = encodePrompt({ msg: 'Password?', pchar: '> ', echo: false });
const CHAT = encodeEvent({ kind: 'chat', msg: '<zed> anyone here?', from: 'zed', room: 'main', text: 'anyone here?', at: '2026-12-06T12:00:00.000Z' });
const haveTmux = hasTmux();
if (!haveTmux && process.env.M2BBS_REQUIRE_TMUX) throw new Error('tmux is required here: apt-get install tmux');
const haveChromium = browserTestsRun('the page test of an event over a half-typed line is');

/** The line the caller typed in a request, as the handler reads it. */
function typedLine(request: Mongrel2Request): string {
  return (JSON.parse(request.body.toString()) as { msg: string }).msg;
}

describe('an event while the caller has half a line typed', () => {
  let bbs: ProxyWithHandler | undefined;
  beforeEach(async () => {
    bbs = await startProxyWithHandler();
  });
  afterEach(async () => {
    await bbs?.close();
    bbs = undefined;
  });

  const nextLine = (): Promise<Mongrel2Request> => (bbs as ProxyWithHandler).handler.next((r) => !isDisconnect(r));
  const say = (to: Mongrel2Request, body: string): Promise<void> => (bbs as ProxyWithHandler).handler.reply(encodeReply(to.uuid, [to.connId], body));

  it('over telnet: the event shows above the input line, the half line is drawn again and the whole line is sent', async () => {
    const { proxy } = bbs as ProxyWithHandler;
    const telnet = await TelnetCaller.open(proxy.telnet.port, 'xterm-256color');
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
      await telnet.type('rld', '\r\n');
      expect(typedLine(await nextLine())).toBe('hello world');
    } finally {
      telnet.close();
    }
  });

  it('over telnet: at a password prompt the event shows and nothing typed is revealed; the password is sent whole', async () => {
    const { proxy } = bbs as ProxyWithHandler;
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
    const { proxy } = bbs as ProxyWithHandler;
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
    const { proxy } = bbs as ProxyWithHandler;
    const socket = connect(proxy.front.port, '127.0.0.1');
    const reader = new ReplyReader();
    const jsonReplies: unknown[] = [];
    socket.on('data', (chunk: Buffer) => jsonReplies.push(...reader.push(chunk).messages));
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.front.port}/ws`);
    const wsReplies: unknown[] = [];
    ws.on('message', (data) => wsReplies.push(JSON.parse(data.toString())));
    try {
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(`@bbs ${JSON.stringify({ type: 'msg', msg: 'connect' })}\0`);
      await new Promise<void>((resolve) => ws.once('open', resolve));
      const calls = [await nextLine(), await nextLine()];
      for (const call of calls) {
        await say(call, SAY);
        await say(call, CHAT);
      }
      const until = async (replies: unknown[]): Promise<void> => {
        const deadline = Date.now() + 10_000;
        while (!replies.some((r) => (r as { type?: string }).type === 'event')) {
          if (Date.now() > deadline) throw new Error(`no event came; got ${JSON.stringify(replies)}`);
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      await until(jsonReplies);
      await until(wsReplies);
      for (const replies of [jsonReplies, wsReplies]) expect(replies.find((r) => (r as { type?: string }).type === 'event')).toEqual(JSON.parse(CHAT));
    } finally {
      socket.destroy();
      ws.terminate();
    }
  });

  describe.runIf(haveTmux)('in m2bbs dial, in a real terminal (tmux)', () => {
    let term: TmuxTerminal | undefined;
    afterEach(() => {
      term?.close();
      term = undefined;
    });

    it('the full-screen client: the event scrolls into the pane in its own colour, the input line keeps the half line, which is sent whole', async () => {
      const { proxy } = bbs as ProxyWithHandler;
      const t = (term = new TmuxTerminal(100, 30));
      await t.shellBack();
      t.send(`${process.execPath} ${M2BBS_BIN} dial 127.0.0.1:${proxy.front.port}`, 'Enter');
      const inputRow = (s: string): string => s.split('\n').at(-3) ?? '';
      const call = await nextLine();
      await say(call, SAY);
      await t.until((s) => s.includes('Say something.') && inputRow(s).startsWith('chat>'), 'the prompt');
      t.send('hello wo');
      await t.until((s) => inputRow(s) === 'chat> hello wo', 'the half-typed line');
      await say(call, CHAT);
      const shown = await t.until((s) => s.includes('<zed> anyone here?'), 'the event');
      expect(inputRow(shown)).toBe('chat> hello wo');
      // Told apart from what the BBS itself says: an event line has a colour of its own.
      expect(t.captureStyled()).toMatch(/\x1b\[36m<zed> anyone here\?/);
      t.send('rld');
      await t.until((s) => inputRow(s) === 'chat> hello world', 'the finished line');
      t.send('', 'Enter');
      expect(typedLine(await nextLine())).toBe('hello world');
      t.send('', 'C-c');
      await t.shellBack();
    });

    it('the plain client: the event on a line of its own, the prompt again, the line typed across it sent whole', async () => {
      const { proxy } = bbs as ProxyWithHandler;
      const t = (term = new TmuxTerminal(100, 30));
      await t.shellBack();
      t.send(`${process.execPath} ${M2BBS_BIN} dial --plain 127.0.0.1:${proxy.front.port}`, 'Enter');
      const call = await nextLine();
      await say(call, SAY);
      await t.until((s) => s.trimEnd().endsWith('chat>'), 'the prompt');
      t.send('hello wo');
      await t.until((s) => s.trimEnd().endsWith('chat> hello wo'), 'the half-typed line');
      await say(call, CHAT);
      await t.until((s) => /chat> hello wo\n<zed> anyone here\?\nchat>\s*$/.test(s.trimEnd() + ' '), 'the event and the prompt again');
      t.send('rld', 'Enter');
      expect(typedLine(await nextLine())).toBe('hello world');
      t.send('', 'C-c');
      await t.shellBack();
    });
  });

  describe.runIf(haveChromium)('on the page, in a real browser', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('the event shows above the input line, the half line is drawn again and stays editable', async () => {
      const { proxy } = bbs as ProxyWithHandler;
      const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
      try {
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        const problems = watchForProblems(page);
        await page.goto(`http://127.0.0.1:${proxy.front.port}/`);
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
      } finally {
        await context.close();
      }
    });
  });
});
