/**
 * Chat with real processes (the proxy, two backends, the bus): a chat line from a caller on a JSON
 * socket arrives while another caller has half a line typed, over telnet, on the page (Chromium)
 * and in `m2bbs dial` (tmux). The half line stays on screen below the chat line, still editable,
 * and the line finished across it is said whole in the room.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { M2BBS_BIN } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { answer, browserTestsRun, launchBrowser, screen, waitForScreen } from './support/page-browser.js';
import type { JsonReply } from './support/reply-queue.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { TmuxTerminal, hasTmux } from './support/tmux.js';

const haveChromium = browserTestsRun('the page test of a chat line over a half-typed line is');
const haveTmux = hasTmux();
if (!haveTmux && process.env.M2BBS_REQUIRE_TMUX) throw new Error('tmux is required here: apt-get install tmux');
const PASSWORD = 'secret12';

let bbs: TestBbs;
let bob: JsonSocketClient;
beforeAll(async () => {
  bbs = await startTestBbs({ backends: 2, batch: true, telnetNegotiationMs: 300 });
  bob = await JsonSocketClient.open(bbs.frontPort);
  await bob.exchange('connect');
  for (const line of ['bob', PASSWORD, 'y', PASSWORD, '']) await bob.exchange(line);
  expect((await bob.exchange('C')).texts.join('\n')).toContain('You are in the chat room "main"');
}, 60_000);
afterAll(async () => {
  bob?.destroy();
  await bbs?.close();
});

/** Bob says `line` in the room. */
async function bobSays(line: string): Promise<void> {
  await bob.exchange(line);
}

/** Waits until bob hears `msg` as an event, from `from` on. */
function bobHears(msg: string, from: number): Promise<JsonReply> {
  return bob.hears((reply) => reply.type === 'event' && reply.msg === msg, from);
}

describe('a chat line while the caller has half a line typed', () => {
  it('over telnet: the line shows above, the prompt and the half line are drawn again, the whole line is said', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    try {
      await telnet.signUpToMenu('alice', PASSWORD);
      const joined = bob.heard.length;
      await telnet.type('C', 'Type to talk.');
      await telnet.waitFor(/Type to talk\.[^]*> \x1b\[0m$/);
      await bobHears('-- alice joins the chat.', joined);
      telnet.sendRaw('hello wo');
      await telnet.waitFor('hello wo');
      const from = telnet.text.length;
      await bobSays('anyone here?');
      const shown = await telnet.waitFor(/hello wo$/, from);
      expect(shown).toMatch(/^\r\x1b\[J\x1b\[[0-9;]*m<bob> anyone here\?\x1b\[0m\r\n\x1b\[[0-9;]*m> \x1b\[0mhello wo$/);
      const said = bob.heard.length;
      telnet.sendRaw('rld\r\n');
      expect(await bobHears('<alice> hello world', said)).toMatchObject({ kind: 'chat', from: 'alice', text: 'hello world' });
      await telnet.type('/quit', 'MAIN MENU');
    } finally {
      telnet.close();
    }
  });

  describe.runIf(haveChromium)('on the page, in a real browser', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('the line shows above the line being typed, which stays editable and is said whole', async () => {
      const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
      try {
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        await page.goto(bbs.httpUrl);
        await waitForScreen(page, "What's your name?");
        for (const [line, next] of [['carol', 'password'], [PASSWORD, '(Y/n)'], ['y', 'again'], [PASSWORD, 'continue'], ['', 'MAIN MENU']] as const) {
          await answer(page, line);
          await waitForScreen(page, next);
        }
        const joined = bob.heard.length;
        await answer(page, 'C');
        await waitForScreen(page, 'Type to talk.');
        await bobHears('-- carol joins the chat.', joined);
        await page.keyboard.type('hello wo');
        await waitForScreen(page, '> hello wo');
        await bobSays('hi carol');
        await waitForScreen(page, '<bob> hi carol\n> hello wo');
        await page.keyboard.type('rlx');
        await page.keyboard.press('Backspace');
        await page.keyboard.type('d');
        await waitForScreen(page, '> hello world');
        const said = bob.heard.length;
        await page.keyboard.press('Enter');
        await bobHears('<carol> hello world', said);
        expect((await screen(page)).split('\n').filter((line) => line.startsWith('> hello'))).toEqual(['> hello world']);
      } finally {
        await context.close();
      }
    });
  });

  describe.runIf(haveTmux)('in m2bbs dial, in a real terminal (tmux)', () => {
    let term: TmuxTerminal | undefined;
    afterEach(() => {
      term?.close();
      term = undefined;
    });

    it('the line scrolls into the pane, the input line keeps the half line, which is said whole', async () => {
      const t = (term = new TmuxTerminal(100, 30));
      await t.shellBack();
      t.send(`${process.execPath} ${M2BBS_BIN} dial 127.0.0.1:${bbs.frontPort}`, 'Enter');
      const inputRow = (s: string): string => s.split('\n').at(-3) ?? '';
      for (const [line, next] of [['dave', 'password'], [PASSWORD, '(Y/n)'], ['y', 'again'], [PASSWORD, 'continue']] as const) {
        await t.until((s) => inputRow(s).startsWith('>'), 'a prompt');
        t.send(line, 'Enter');
        await t.until((s) => s.includes(next), next);
      }
      t.send('', 'Enter');
      await t.until((s) => s.includes('MAIN MENU'), 'the main menu');
      const joined = bob.heard.length;
      t.send('C', 'Enter');
      await bobHears('-- dave joins the chat.', joined);
      t.send('hello wo');
      await t.until((s) => inputRow(s) === '> hello wo', 'the half-typed line');
      await bobSays('hi dave');
      const shown = await t.until((s) => s.includes('<bob> hi dave'), 'the chat line');
      expect(inputRow(shown)).toBe('> hello wo');
      const said = bob.heard.length;
      t.send('rld', 'Enter');
      await bobHears('<dave> hello world', said);
      t.send('', 'C-c');
      await t.shellBack();
    });
  });
});
