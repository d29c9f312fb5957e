import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answer, describeInBrowser, signUpOnPage, waitForLine, waitForScreen, watchForProblems, type PageGlobals } from './support/page-browser.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

// Runs in the page: each row of the terminal, and whether xterm.js wrapped it there itself.
function rows(): { text: string; wrapped: boolean }[] {
  const buffer = (globalThis as unknown as PageGlobals).m2bbsTerminal.buffer.active;
  const out: { text: string; wrapped: boolean }[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (line !== undefined) out.push({ text: line.translateToString(true), wrapped: line.isWrapped });
  }
  return out;
}

const columns = (page: Page): Promise<number> => page.evaluate(() => (globalThis as unknown as PageGlobals).m2bbsTerminal.cols);
const LEAVE = 'Leave a message: up to 20 lines of up to 200 characters. A line with only a . on it ends the message.';

describeInBrowser('the page on a narrow screen', (browser) => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  }, 60_000);
  afterAll(async () => {
    await bbs?.close();
  });

  it('gets screens the BBS wrapped to its width (no row wrapped by the terminal, no word broken), and the new width after a resize', async () => {
    const page = await browser.page({ width: 360, height: 640 });
    const problems = watchForProblems(page);
    await page.goto(bbs.httpUrl);
    await waitForLine(page, 'connected');
    await waitForScreen(page, "What's your name?");
    const narrow = await columns(page);
    expect(narrow).toBeLessThan(60);
    await signUpOnPage(page, 'phone', 'phone-pass-1');
    await answer(page, '1');
    await waitForScreen(page, ' 1> ');
    const shown = await page.evaluate(rows);
    expect(shown.filter((row) => row.wrapped)).toEqual([]);
    expect(Math.max(...shown.map((row) => row.text.length))).toBeLessThanOrEqual(narrow);
    const start = shown.findIndex((row) => row.text.startsWith('Leave a message:'));
    const said = shown.slice(start, start + 4).map((row) => row.text.trim()).join(' ');
    expect(said).toContain(LEAVE);

    await page.setViewportSize({ width: 1000, height: 640 });
    await page.waitForFunction((before) => (globalThis as unknown as PageGlobals).m2bbsTerminal.cols > before + 20, narrow);
    const wide = await columns(page);
    await answer(page, '.');
    await waitForScreen(page, 'MAIN MENU', 2);
    await answer(page, '1');
    await waitForScreen(page, ' 1> ', 2);
    const after = await page.evaluate(rows);
    const again = after.map((row) => row.text).lastIndexOf(after.map((row) => row.text).filter((text) => text.startsWith('Leave a message:')).at(-1) ?? '');
    expect(after[again]?.text.length).toBeGreaterThan(narrow);
    expect(after[again]?.text.length).toBeLessThanOrEqual(wide);
    expect(problems).toEqual([]);
  });
});
