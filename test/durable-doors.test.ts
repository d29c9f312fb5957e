/**
 * A backend killed in the middle of a message, seen from each door a caller uses: telnet, the
 * page in a real browser, and `m2bbs dial` in a real terminal. Each caller sees one notice line
 * and the prompt they were at, never NO CARRIER, and the message is posted whole, once.
 */
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answer, browserTestsRun, launchBrowser, screen, waitForLine, waitForScreen, watchForProblems, type PageGlobals } from './support/page-browser.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { M2BBS_BIN } from './support/handler-process.js';
import { TmuxTerminal, hasTmux } from './support/tmux.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const MOVED = /-- line moved to @bbs\.1[01] --/;
const haveBrowser = browserTestsRun('the page tests of a moved line are');
// CI installs tmux and sets M2BBS_REQUIRE_TMUX, so there this can't be skipped.
const haveTmux = hasTmux();
if (!haveTmux && process.env.M2BBS_REQUIRE_TMUX) throw new Error('tmux is required here: apt-get install tmux');
if (!haveTmux) console.warn('tmux not installed (apt-get install tmux): the m2bbs dial test of a moved line is not run');

/** Kills (SIGKILL) the backend serving the one call in progress; resolves with its number. */
async function killServingBackend(bbs: TestBbs): Promise<string> {
  const serving = bbs.proxy.switchboard.directory().filter((n) => n.inUse > 0);
  expect(serving).toHaveLength(1);
  const number = serving[0]?.number ?? '';
  const handler = bbs.handlers[Number(number.slice('bbs.'.length)) - 10];
  handler?.child.kill('SIGKILL');
  await handler?.exited;
  return number;
}

/** The bodies of every message on the board, oldest first. */
function messagesOnTheBoard(bbs: TestBbs): string[] {
  const db = new Database(bbs.dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT body FROM messages ORDER BY id').all() as { body: string }[]).map((row) => row.body);
  } finally {
    db.close();
  }
}

describe('a backend killed in the middle of a message', () => {
  let bbs: TestBbs | undefined;
  beforeEach(async () => {
    bbs = await startTestBbs({ backends: 2, batch: true });
  });
  afterEach(async () => {
    await bbs?.close();
    bbs = undefined;
  });

  it('over telnet: the notice, the prompt again, and the message posted whole, once', async () => {
    const board = bbs as TestBbs;
    const telnet = await TelnetCaller.open(board.telnetPort, 'dumb');
    try {
      await telnet.signUpToMenu('telnetdurable', 'telnet-pw-1');
      await telnet.type('1', ' 1> ');
      await telnet.type('line one', ' 2> ');
      await telnet.type('line two', ' 3> ');
      const from = telnet.text.length;
      const number = await killServingBackend(board);
      const moved = await telnet.waitFor(new RegExp(`${MOVED.source}\\r\\n 3> $`), from);
      expect(moved).not.toContain(`@${number} --`);
      expect(moved).not.toContain('NO CARRIER');
      expect(moved).not.toContain('redial');
      expect(moved.match(/line moved/g)).toHaveLength(1);

      await telnet.type('line three', ' 4> ');
      expect(await telnet.type('.', 'MAIN MENU')).toContain('Your message is on the board as number 1.');
      expect(messagesOnTheBoard(board)).toEqual(['line one\nline two\nline three']);
      const read = await telnet.type('2', /That's all in General/);
      expect(read.split(/line one\r\nline two\r\nline three/)).toHaveLength(2);
      expect(telnet.text).not.toContain('NO CARRIER');
    } finally {
      telnet.close();
    }
  });

  it('over telnet: a line half typed when the backend dies is still there after the notice', async () => {
    const board = bbs as TestBbs;
    const telnet = await TelnetCaller.open(board.telnetPort, 'dumb');
    try {
      await telnet.signUpToMenu('telnethalf', 'telnet-pw-2');
      await telnet.type('1', ' 1> ');
      await telnet.type('first line', ' 2> ');
      telnet.sendRaw('second ha');
      await telnet.waitFor('second ha');
      const from = telnet.text.length;
      await killServingBackend(board);
      // The notice, the prompt again, and what was typed at it, shown again after it.
      await telnet.waitFor(new RegExp(`${MOVED.source}\\r\\n 2> second ha$`), from);
      await telnet.type('lf', ' 3> ');
      await telnet.type('.', 'MAIN MENU');
      expect(messagesOnTheBoard(board)).toEqual(['first line\nsecond half']);
    } finally {
      telnet.close();
    }
  });

  describe.runIf(haveBrowser)('in the page, in a real browser', () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('shows the notice and goes on, the half-typed line kept, never NO CARRIER', async () => {
      const board = bbs as TestBbs;
      const context = await (browser as Browser).newContext({ viewport: { width: 1024, height: 700 } });
      try {
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        const problems = watchForProblems(page);
        await page.goto(board.httpUrl);
        await waitForScreen(page, "What's your name?");
        await answer(page, 'pagedurable');
        await waitForScreen(page, "What's your password?");
        await answer(page, 'page-pw-1');
        await waitForScreen(page, '(Y/n)');
        await answer(page, 'y');
        await waitForScreen(page, 'Type the same password again');
        await answer(page, 'page-pw-1');
        await waitForScreen(page, 'Do you want to continue?');
        await answer(page, '');
        await waitForScreen(page, 'MAIN MENU');
        await answer(page, '1');
        await waitForScreen(page, ' 1> ');
        await answer(page, 'line one');
        await waitForScreen(page, ' 2> ');
        await answer(page, 'line two');
        await waitForScreen(page, ' 3> ');
        await page.keyboard.type('line th');
        await waitForScreen(page, ' 3> line th');

        await killServingBackend(board);
        await waitForScreen(page, '-- line moved to @bbs.1');
        // The prompt again, with what was typed at it, and the caller types on from there.
        await waitForScreen(page, ' 3> line th', 2);
        const moved = await screen(page);
        expect(moved).toMatch(new RegExp(`\\n 3> line th\\n${MOVED.source}\\n 3> line th$`));
        expect(moved).not.toContain('NO CARRIER');
        expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset.line)).toBe('connected');

        await answer(page, 'ree');
        await waitForScreen(page, ' 4> ');
        await answer(page, '.');
        await waitForScreen(page, 'Your message is on the board as number 1.');
        expect(messagesOnTheBoard(board)).toEqual(['line one\nline two\nline three']);
        await waitForLine(page, 'connected');
        expect(await screen(page)).not.toContain('NO CARRIER');
        expect(problems).toEqual([]);
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

    it('shows the notice in the pane, keeps the input line and the status bar, and goes on', async () => {
      const board = bbs as TestBbs;
      const t = (term = new TmuxTerminal(100, 30));
      await t.shellBack();
      t.send(`${process.execPath} ${M2BBS_BIN} dial 127.0.0.1:${board.frontPort}`, 'Enter');
      const inputRow = (s: string): string => s.split('\n').at(-3) ?? '';
      const statusRow = (s: string): string => s.split('\n').at(-2) ?? '';
      const step = async (line: string, shows: string): Promise<string> => {
        t.send(line, 'Enter');
        return t.until((s) => s.includes(shows), shows);
      };
      await t.until((s) => s.includes("What's your name?"), 'the name prompt');
      await step('dialdurable', "What's your password?");
      await step('dial-pw-1', '(Y/n)');
      await step('y', 'Type the same password again');
      await step('dial-pw-1', 'Do you want to continue?');
      const menu = await step('', 'MAIN MENU');
      // Named in the status bar as soon as logged in (it was only at the clock's next tick).
      expect(statusRow(menu)).toMatch(/^ @bbs \| dialdurable \| /);
      await step('1', 'Leave a message:');
      await step('line one', ' 1> line one');
      await step('line two', ' 2> line two');
      t.send('line th');
      await t.until((s) => inputRow(s).startsWith(' 3> line th'), 'the half-typed line');

      await killServingBackend(board);
      const moved = await t.until((s) => MOVED.test(s), 'the notice');
      // The notice is a line of its own in the pane; the input line still holds what was typed.
      expect(moved.split('\n').filter((row) => MOVED.test(row)).map((row) => row.trim())).toEqual([MOVED.exec(moved)?.[0]]);
      expect(inputRow(moved)).toBe(' 3> line th');
      expect(statusRow(moved)).toMatch(/^ @bbs \| dialdurable \| online \d+:\d\d:\d\d +CONNECTED *$/);
      expect(moved).not.toContain('NO CARRIER');

      await step('ree', ' 3> line three');
      const posted = await step('.', 'Your message is on the board as number 1.');
      expect(posted).not.toContain('NO CARRIER');
      expect(messagesOnTheBoard(board)).toEqual(['line one\nline two\nline three']);
      t.send('', 'C-c');
      await t.shellBack();
    });
  });
});
