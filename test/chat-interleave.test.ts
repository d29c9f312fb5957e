/**
 * Chat with real processes (the proxy, two backends, the bus): a chat line from a caller on a JSON
 * socket on @bbs.11 arrives while another caller on @bbs.10 has half a line typed, over telnet, on
 * the page (Chromium) and in `m2bbs dial` (tmux). The half line stays on screen below the chat
 * line, still editable, and the line finished across it is said whole in the room. A hostile chat
 * line reaches `m2bbs dial` harmless, its text intact.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INJECTION_LINE, INJECTION_PAYLOADS, assertHarmless, assertSurvives } from './support/injection-payloads.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { describeInBrowser, screen, signUpOnPage, waitForScreen } from './support/page-browser.js';
import { until } from './support/process-tree.js';
import type { JsonReply } from './support/reply-queue.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { dialInputRow, hasTmux, terminalPerTest, type TmuxTerminal } from './support/tmux.js';

const haveTmux = hasTmux();
if (!haveTmux && process.env.M2BBS_REQUIRE_TMUX) throw new Error('tmux is required here: apt-get install tmux');
const PASSWORD = 'secret12';
const BACKSPACE = '\x7f';

let bbs: TestBbs;
let bob: JsonSocketClient;
/** Calls the proxy holds on `number` now. */
const inUse = (number: string): number => bbs.proxy.switchboard.directory().find((n) => n.number === number)?.inUse ?? 0;

beforeAll(async () => {
  bbs = await startTestBbs({ backends: 2, batch: true, telnetNegotiationMs: 300 });
  bob = await JsonSocketClient.open(bbs.frontPort, '@bbs.11');
  await bob.exchange('connect');
  for (const line of ['bob', PASSWORD, 'y', PASSWORD, '']) await bob.exchange(line);
  expect((await bob.exchange('C')).texts.join('\n')).toContain('You are in the chat room "main"');
  expect([inUse('bbs.10'), inUse('bbs.11')]).toEqual([0, 1]);
}, 60_000);
afterAll(async () => {
  bob?.destroy();
  await bbs?.close();
});
// Each test's caller dials @bbs.10 once the last test's caller has left it.
beforeEach(async () => {
  await until(() => (inUse('bbs.10') === 0 ? true : undefined), 'the last caller off @bbs.10');
});

/** Bob says `line` in the room. */
async function bobSays(line: string): Promise<void> {
  await bob.exchange(line);
}

/** Waits until bob hears `msg` as an event, from `from` on. */
function bobHears(msg: string, from: number): Promise<JsonReply> {
  return bob.hears((reply) => reply.type === 'event' && reply.msg === msg, from);
}

/** The caller of this test is on @bbs.10, bob alone on @bbs.11: the chat line crosses backends. */
function expectOnBbs10(): void {
  expect({ 'bbs.10': inUse('bbs.10'), 'bbs.11': inUse('bbs.11') }).toEqual({ 'bbs.10': 1, 'bbs.11': 1 });
}

describe('a chat line while the caller has half a line typed', () => {
  it('over telnet: the line shows above, the prompt and the half line are drawn again, still editable, the whole line is said', async () => {
    // The telnet door dials any number: hang up and call again until the call lands on @bbs.10.
    let telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    try {
      for (;;) {
        await telnet.waitFor("What's your name?");
        if (inUse('bbs.10') === 1) break;
        telnet.close();
        await until(() => (inUse('bbs.11') === 1 ? true : undefined), 'the call on @bbs.11 gone');
        telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
      }
      await telnet.signUpToMenu('alice', PASSWORD);
      expectOnBbs10();
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
      // Still alice's line: a typo taken back with Backspace, then the rest.
      telnet.sendRaw('rlx');
      await telnet.waitFor('hello worlx');
      telnet.sendRaw(BACKSPACE);
      const said = bob.heard.length;
      telnet.sendRaw('d\r\n');
      expect(await bobHears('<alice> hello world', said)).toMatchObject({ kind: 'chat', from: 'alice', text: 'hello world' });
      await telnet.type('/quit', 'MAIN MENU');
    } finally {
      telnet.close();
    }
  });

  describeInBrowser('on the page, in a real browser', (browser) => {
    it('the line shows above the line being typed, which stays editable and is said whole', async () => {
      const page = await browser.page();
      await page.goto(`${bbs.httpUrl}?route=@bbs.10`);
      await waitForScreen(page, 'ATDT @bbs.10');
      await signUpOnPage(page, 'carol', PASSWORD);
      expectOnBbs10();
      const joined = bob.heard.length;
      await page.keyboard.type('C');
      await page.keyboard.press('Enter');
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
    });
  });

  describe.runIf(haveTmux)('in m2bbs dial, in a real terminal (tmux)', () => {
    const terminal = terminalPerTest();

    /** Dials @bbs.10 with `m2bbs dial FLAGS...`, signs `name` up and enters the chat room; `prompted` says a prompt is up. */
    async function intoChat(t: TmuxTerminal, name: string, prompted: (s: string) => boolean, ...flags: string[]): Promise<void> {
      await t.dial(...flags, `127.0.0.1:${bbs.frontPort}`, '@bbs.10');
      await t.until((s) => s.includes('ATDT @bbs.10'), 'the number dialled');
      for (const [line, next] of [[name, 'password'], [PASSWORD, '(Y/n)'], ['y', 'again'], [PASSWORD, 'continue'], ['', 'MAIN MENU']] as const) {
        await t.until(prompted, 'a prompt');
        t.send(line, 'Enter');
        await t.until((s) => s.includes(next), next);
      }
      expectOnBbs10();
      const joined = bob.heard.length;
      t.send('C', 'Enter');
      await bobHears(`-- ${name} joins the chat.`, joined);
    }

    it('the line scrolls into the pane, the input line keeps the half line, still editable, which is said whole', async () => {
      const t = terminal();
      await intoChat(t, 'dave', (s) => dialInputRow(s).startsWith('>'));
      t.send('hello wo');
      await t.until((s) => dialInputRow(s) === '> hello wo', 'the half-typed line');
      await bobSays('hi dave');
      const shown = await t.until((s) => s.includes('<bob> hi dave'), 'the chat line');
      expect(dialInputRow(shown)).toBe('> hello wo');
      t.send('rlx');
      await t.until((s) => dialInputRow(s) === '> hello worlx', 'the typo');
      t.send('', 'BSpace');
      t.send('d');
      await t.until((s) => dialInputRow(s) === '> hello world', 'the line mended');
      const said = bob.heard.length;
      t.send('', 'Enter');
      await bobHears('<dave> hello world', said);

      // A hostile chat line: shown as text, the screen not cleared, the window not retitled.
      await bobSays(INJECTION_LINE);
      const hostile = await t.until((s) => s.includes('inject-end'), 'the hostile line');
      assertSurvives(hostile);
      expect(hostile).toContain('<bob> hi dave');
      expect(t.pane('pane_title')).not.toContain('pwned');
      t.send('', 'C-c');
      await t.shellBack();
    });

    it('the plain client gets a hostile chat line with no escape but colour, no control, its text intact', async () => {
      const t = terminal();
      const written = t.record();
      await intoChat(t, 'erin', (s) => s.trimEnd().endsWith('>'), '--plain');
      const from = written().length;
      await bobSays(INJECTION_LINE);
      await t.until((s) => s.includes('inject-end'), 'the hostile line');
      const bytes = await until(() => {
        const since = written().subarray(from);
        return since.includes('inject-end') ? since : undefined;
      }, 'the hostile line among the bytes written to the terminal');
      assertHarmless(bytes, { colour: true });
      assertSurvives(bytes.toString('utf8'));
      expect(bytes.toString('utf8')).not.toContain(INJECTION_PAYLOADS.clearScreen);
      t.send('/quit', 'Enter');
      await t.until((s) => s.includes('MAIN MENU'), 'the main menu');
      t.send('', 'C-c');
      await t.shellBack();
    });
  });
});
