import { createServer } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answer, browserTestsRun, launchBrowser, screen, waitForLine, waitForScreen, watchForProblems, type PageGlobals } from './support/page-browser.js';
import { RawConnection } from './support/raw-connection.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const PASSWORD = 'swordfish-42';
const MESSAGE = 'Grüße vom grünen Bildschirm ☎';

function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const haveChromium = browserTestsRun('the page tests are');

describe.runIf(haveChromium)('the green-screen page in a real browser', () => {
  let browser: Browser;
  let bbs: TestBbs;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launchBrowser();
    bbs = await startTestBbs({ telnetNegotiationMs: 300 });
  }, 60_000);
  afterAll(async () => {
    await bbs?.close();
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    context.setDefaultTimeout(10_000);
  });
  afterEach(async () => {
    await context.close();
  });

  it('dials, signs a caller up with a masked password, posts, reads it back, quits and offers a redial', async () => {
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(bbs.httpUrl);
    expect(await page.title()).toContain('M2BBS');
    await waitForLine(page, 'connected');
    // xterm.js draws what it is given a moment later; wait for the screen, then read it.
    await waitForScreen(page, "What's your name?");
    // CONNECT once per call, in the proxy's words, as telnet and the JSON socket show it.
    expect(await screen(page)).toMatch(/^ATDT @bbs\.*\nATDT @bbs\.10 \.\.\. CONNECT\n/);
    expect((await screen(page)).match(/CONNECT/g)).toHaveLength(1);

    await answer(page, 'web_caller');
    await waitForScreen(page, "What's your password?");
    await page.keyboard.type(PASSWORD);
    await waitForScreen(page, `> ${'*'.repeat(PASSWORD.length)}`);
    await page.keyboard.press('Enter');
    await waitForScreen(page, 'Sign up as web_caller? (Y/n)');
    await answer(page, 'y');
    await waitForScreen(page, 'Type the same password again');
    await answer(page, PASSWORD);
    await waitForScreen(page, 'Do you want to continue?');
    const afterSignUp = await screen(page);
    expect(afterSignUp).not.toContain(PASSWORD);
    expect(afterSignUp.split(`> ${'*'.repeat(PASSWORD.length)}\n`)).toHaveLength(3);
    const everywhere = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return `${g.document.documentElement.textContent ?? ''}${g.m2bbsTerminal.textarea?.value ?? ''}`;
    });
    expect(everywhere).not.toContain(PASSWORD);

    await answer(page, '');
    await waitForScreen(page, 'MAIN MENU');
    await answer(page, '1');
    await waitForScreen(page, ' 1> ');
    // Line editing: a typo, taken back with Backspace before Enter.
    await page.keyboard.type(`${MESSAGE}!!`);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Enter');
    await waitForScreen(page, ' 2> ');
    await answer(page, '.');
    await waitForScreen(page, 'Your message is on the board as number 1.');
    await waitForScreen(page, 'MAIN MENU', 2);
    await answer(page, '2');
    await waitForScreen(page, "That's all in General");
    await answer(page, '');
    await waitForScreen(page, 'MAIN MENU', 3);
    await answer(page, 'Q');
    await waitForLine(page, 'closed');

    const seen = await screen(page);
    expect(seen).toMatch(new RegExp(`--- #1 from web_caller, [^\\n]*\\n${MESSAGE}\\n`));
    expect(seen).not.toContain(`${MESSAGE}!`);
    expect(seen).toMatch(/Alright, see ya later, web_caller\.\n+NO CARRIER\nPress Enter to redial\.$/);
    expect(seen).not.toContain(PASSWORD);

    await page.keyboard.press('Enter');
    await waitForScreen(page, 'CONNECT', 2);
    await waitForScreen(page, "What's your name?", 2);
    expect((await screen(page)).match(/CONNECT/g)).toHaveLength(2);
    expect(problems).toEqual([]);

    // A caller on telnet reads what the caller on the page posted.
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    await telnet.waitFor("What's your name?");
    await telnet.type('web_caller', "What's your password?");
    await telnet.type(PASSWORD, 'Do you want to continue?');
    await telnet.type('', 'MAIN MENU');
    expect(await telnet.type('2', /That's all in General/)).toContain(MESSAGE);
    telnet.close();
  });

  it('fills the window at any size', async () => {
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.setViewportSize({ width: 360, height: 480 });
    await page.goto(bbs.httpUrl);
    await waitForScreen(page, "What's your name?");
    const size = (): { cols: number; rows: number } => {
      const { cols, rows } = (globalThis as unknown as PageGlobals).m2bbsTerminal;
      return { cols, rows };
    };
    const small = await page.evaluate(size);
    expect(small.cols).toBeGreaterThanOrEqual(32); // the welcome banner's width
    expect(small.cols).toBeLessThan(60);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.waitForFunction((before) => {
      const { cols, rows } = (globalThis as unknown as PageGlobals).m2bbsTerminal;
      return cols > 2 * before.cols && rows > before.rows;
    }, small);
    expect(await screen(page)).toContain('Welcome to the M2BBS.');
    expect(problems).toEqual([]);
  });

  it('shows why, not that the BBS may be down, when its address has opened too many connections this minute', async () => {
    const limited = await startTestBbs({ telnetNegotiationMs: 300, caps: { connectionsPerMinute: 12 } });
    try {
      const page = await context.newPage();
      await page.goto(limited.httpUrl);
      await waitForLine(page, 'connected');
      await waitForScreen(page, "What's your name?");
      // Three names that cannot be: the BBS hangs up, and the page offers a redial.
      for (let n = 0; n < 3; n++) await answer(page, '!');
      await waitForLine(page, 'closed');
      // The rest of the address's allowance, spent by other connections from it.
      for (let spent = 0; spent < 20; spent++) {
        const other = await RawConnection.open(limited.frontPort);
        other.write(`GET /directory HTTP/1.1\r\nHost: 127.0.0.1:${limited.frontPort}\r\nConnection: close\r\n\r\n`);
        await other.closed;
        if (other.received.includes('Too many calls from your address')) break;
      }
      // Enter redials: the page is told why, in the words of the refusal.
      await page.keyboard.press('Enter');
      await waitForScreen(page, 'Too many calls from your address in the last minute (12 a minute at most)');
      expect(await screen(page)).not.toContain('it may be down');
    } finally {
      await limited.close();
    }
  });

  it('says so in red, not with a black screen, when nothing answers', async () => {
    const port = await deadPort();
    const page = await context.newPage();
    const problems = watchForProblems(page);
    // The page comes from the BBS, but its address (and so its WebSocket) is a port nobody listens on.
    await page.route(`http://127.0.0.1:${port}/**`, async (route) => {
      const url = new URL(route.request().url());
      await route.fulfill({ response: await route.fetch({ url: new URL(url.pathname, bbs.httpUrl).href }) });
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await waitForLine(page, 'failed');
    const seen = await screen(page);
    expect(seen).toMatch(/^ATDT @bbs\.*\nNO ANSWER\nCould not reach the BBS at 127\.0\.0\.1:\d+/);
    expect(seen).toContain('Press Enter to redial.');
    // The cell colour of the "N" of NO ANSWER: palette red.
    const colour = await page.evaluate(() => {
      const buffer = (globalThis as unknown as PageGlobals).m2bbsTerminal.buffer.active;
      for (let y = 0; y < buffer.length; y++) {
        const line = buffer.getLine(y);
        const cell = line?.translateToString(true) === 'NO ANSWER' ? line.getCell(0) : undefined;
        if (cell !== undefined) return { palette: Boolean(cell.isFgPalette()), fg: cell.getFgColor() };
      }
      return { palette: false, fg: -1 };
    });
    expect(colour).toEqual({ palette: true, fg: 1 });

    await page.keyboard.press('Enter');
    await waitForScreen(page, 'NO ANSWER', 2);
    await waitForLine(page, 'failed');
    const expected = /^console\.error: WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\?cols=\d+' failed/;
    expect(problems.filter((p) => !expected.test(p))).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
  });
});
