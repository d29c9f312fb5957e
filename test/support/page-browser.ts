/**
 * Driving the green-screen page in a real chromium (playwright-core): launching it, reading the
 * terminal as the caller sees it, typing, and the page's line state. Shared by the page tests.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether this machine runs the page tests. CI installs Debian's chromium and sets
 * M2BBS_REQUIRE_BROWSER, so there a missing browser fails instead of skipping.
 */
export function browserTestsRun(what: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env.M2BBS_REQUIRE_BROWSER) throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium`);
  if (!available) console.warn(`no browser at ${CHROMIUM} (apt-get install chromium): ${what} not run`);
  return available;
}

/** Starts headless chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// Just enough of the page's globals for the functions that run inside it.
interface XtermCell {
  isFgPalette(): boolean | number;
  getFgColor(): number;
}
interface XtermLine {
  readonly isWrapped: boolean;
  translateToString(trimRight: boolean): string;
  getCell(x: number): XtermCell | undefined;
}
/** The page's globals the tests read. */
export interface PageGlobals {
  readonly m2bbsTerminal: {
    readonly cols: number;
    readonly rows: number;
    readonly textarea: { readonly value: string } | undefined;
    readonly buffer: { readonly active: { readonly length: number; getLine(y: number): XtermLine | undefined } };
  };
  readonly document: {
    readonly body: { readonly dataset: Record<string, string | undefined> };
    readonly documentElement: { readonly textContent: string | null };
  };
}

// Runs in the page (the page's CSP forbids string evaluation, so it is a function): the terminal's
// buffer as the caller sees it, wrapped rows joined back into lines; given a needle, whether the
// needle shows at least `times` times.
/** Runs in the page: the terminal's text, or whether a needle shows `times` times. */
export function readScreen(needle: { text: string; times: number } | null): string | boolean {
  const buffer = (globalThis as unknown as PageGlobals).m2bbsTerminal.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (line === undefined) continue;
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  const screen = lines.join('\n').replace(/\n+$/, '');
  return needle === null ? screen : screen.split(needle.text).length > needle.times;
}

/** The terminal's text as the caller sees it. */
export async function screen(page: Page): Promise<string> {
  return String(await page.evaluate(readScreen, null));
}

/** Waits until `text` shows `times` times on the terminal. */
export async function waitForScreen(page: Page, text: string, times = 1): Promise<void> {
  await page.waitForFunction(readScreen, { text, times });
}

/** Waits until the page's line state (`document.body.dataset.line`) is `state`. */
export async function waitForLine(page: Page, state: 'dialling' | 'connected' | 'closed' | 'failed'): Promise<void> {
  await page.waitForFunction((want) => (globalThis as unknown as PageGlobals).document.body.dataset.line === want, state);
}

/** Types a line and Enter. */
export async function answer(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** Collects everything a developer console would show in red, and every failed request. */
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()} ${m.location().url}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/** What a describeInBrowser body gets: the browser, and a fresh page whose context is closed after the test. */
export interface InBrowser {
  browser(): Browser;
  /** A page in a new context of the given viewport (default 1024x700), waits bounded at 10 s. */
  page(viewport?: { readonly width: number; readonly height: number }): Promise<Page>;
}

/**
 * A describe whose tests run in one headless chromium (launched before them, closed after); not
 * run without chromium (failing instead under M2BBS_REQUIRE_BROWSER, as in CI).
 */
export function describeInBrowser(name: string, fn: (inBrowser: InBrowser) => void): void {
  describe.runIf(browserTestsRun(`the page tests "${name}" are`))(name, () => {
    let browser: Browser | undefined;
    const contexts: BrowserContext[] = [];
    beforeAll(async () => {
      browser = await launchBrowser();
    }, 60_000);
    afterEach(async () => {
      for (const context of contexts.splice(0)) await context.close();
    });
    afterAll(async () => {
      await browser?.close();
    });
    const current = (): Browser => {
      if (browser === undefined) throw new Error('the browser runs only inside a test');
      return browser;
    };
    fn({
      browser: current,
      async page(viewport = { width: 1024, height: 700 }) {
        const context = await current().newContext({ viewport });
        contexts.push(context);
        context.setDefaultTimeout(10_000);
        return context.newPage();
      },
    });
  });
}

/** On the page at the name prompt: signs `name` up with `password` and waits for the main menu. */
export async function signUpOnPage(page: Page, name: string, password: string): Promise<void> {
  await waitForScreen(page, "What's your name?");
  for (const [line, next] of [[name, 'password'], [password, '(Y/n)'], ['y', 'again'], [password, 'continue'], ['', 'MAIN MENU']] as const) {
    await answer(page, line);
    await waitForScreen(page, next);
  }
}
