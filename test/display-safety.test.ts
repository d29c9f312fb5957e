/**
 * What one caller writes reaches another harmless, in every door: a post and a mail carrying a
 * screen clear, an OSC 52 clipboard write, a title set, 0x9B (as U+009B and as a raw byte), a
 * right-to-left override and script are read by another caller over telnet, a JSON socket, a
 * WebSocket and the page (real Chromium). Besides what mallory types (cleaned on the way in), rows
 * written straight into SQLite (a board from before input was cleaned) carry the raw payloads, so
 * the way out (common/display-safe.ts at every screen placeholder) is what is tested.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, describeInBrowser, screen, waitForScreen } from './support/page-browser.js';
import { INJECTION_LINE, RAW_C1_CSI, assertHarmless, assertSurvives } from './support/injection-payloads.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

/** Runs in the page: how many script and img elements the document holds. */
function elements(): { scripts: number; images: number } {
  const { document } = globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } };
  return { scripts: document.querySelectorAll('script').length, images: document.querySelectorAll('img').length };
}

const PASSWORD = 'victim-pass-1';

/** Types lines at a JSON caller's prompts and returns everything shown along the way. */
async function lines(caller: JsonSocketClient | WsCaller, ...typed: string[]): Promise<string[]> {
  const shown: string[] = [];
  for (const line of typed) shown.push(...(await caller.exchange(line)).texts);
  return shown;
}

describe('hostile text in posts and mail reaches other callers harmless', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ telnetNegotiationMs: 300 });
    const victim = await JsonSocketClient.open(bbs.frontPort);
    const mallory = await JsonSocketClient.open(bbs.frontPort);
    try {
      victim.send('connect');
      await victim.untilPrompt();
      await lines(victim, 'victim', PASSWORD, 'y', PASSWORD, 'Y', 'Q');
      mallory.send('connect');
      await mallory.untilPrompt();
      await lines(mallory, 'mallory', 'mallory-pass', 'y', 'mallory-pass', 'Y', '1', INJECTION_LINE, '.', '3', 'victim', INJECTION_LINE, '.', 'Q');
    } finally {
      victim.destroy();
      mallory.destroy();
    }
    // Rows from a board that never cleaned input: the payloads as they were typed.
    const db = new Database(bbs.dbFile);
    try {
      const id = (name: string): number => (db.prepare('SELECT id FROM callers WHERE name = ?').get(name) as { id: number }).id;
      db.prepare('INSERT INTO messages (author_id, body, created_at) VALUES (?, ?, ?)').run(id('mallory'), `old-post ${INJECTION_LINE}\nc1-char \u009b2J`, Date.now());
      db.prepare('INSERT INTO mail (from_id, to_id, body, created_at) VALUES (?, ?, ?, ?)').run(id('mallory'), id('victim'), `old-mail ${INJECTION_LINE}`, Date.now());
    } finally {
      db.close();
    }
  }, 60_000);
  afterAll(async () => {
    await bbs?.close();
  });

  /** Checks what the victim saw of the board and the mailbox: every post and mail, every piece of text in each. */
  function check(text: string): void {
    const flat = text.replace(/\s+/g, ' ');
    for (const marker of ['old-post', 'old-mail', 'c1-char 2J']) expect(flat).toContain(marker);
    // Mallory's post (cleaned on the way in) comes before the old row's, and both before the mail.
    assertSurvives(flat.slice(0, flat.indexOf('old-post')));
    assertSurvives(flat.slice(flat.indexOf('old-post')));
    assertSurvives(flat.slice(flat.indexOf('old-mail')));
  }

  it('a raw 0x9B byte never gets in: the telnet and JSON-socket doors refuse text that is not UTF-8', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    try {
      await telnet.waitFor("What's your name?");
      telnet.sendRaw(Buffer.concat([Buffer.from('raw'), RAW_C1_CSI, Buffer.from('2J\r\n')]));
      await telnet.waitFor('not valid UTF-8');
      await telnet.whenClosed();
    } finally {
      telnet.close();
    }
    const json = await JsonSocketClient.open(bbs.frontPort);
    try {
      json.sendRaw(Buffer.concat([Buffer.from('@bbs {"type":"msg","msg":"raw'), RAW_C1_CSI, Buffer.from('2J"}\0')]));
      await json.closedByServer();
    } finally {
      json.destroy();
    }
  });

  it('over telnet on a colour terminal: the exact bytes hold no escape but the door\'s colours, no C1, no BiDi control', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    try {
      await telnet.waitFor("What's your name?");
      await telnet.type('victim', 'password');
      await telnet.type(PASSWORD, '(Y/n)');
      await telnet.type('Y', 'MAIN MENU');
      const from = telnet.bytes.length;
      await telnet.type('2', /old-post[^]*That's all in/);
      await telnet.type('', 'MAIN MENU');
      await telnet.type('4', /old-mail[^]*MAIN MENU/);
      const received = telnet.bytes.subarray(from);
      assertHarmless(received, { colour: true });
      check(received.toString('utf8'));
      await telnet.type('Q', 'see ya');
    } finally {
      telnet.close();
    }
  });

  it('over telnet on a CP437 (ANSI) terminal: glyphs CP437 draws at control bytes (◘ ♀ ♣ • ‼) in a post reach it as no control byte', async () => {
    const mallory = await JsonSocketClient.open(bbs.frontPort);
    try {
      mallory.send('connect');
      await mallory.untilPrompt();
      await lines(mallory, 'mallory', 'mallory-pass', 'Y', '1', 'glyphs-start ◘♀♣•‼ ♂♫☼§¶⌂ glyphs-end', '.', 'Q');
    } finally {
      mallory.destroy();
    }
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'ANSI');
    try {
      await telnet.waitFor("What's your name?");
      await telnet.type('victim', 'password');
      await telnet.type(PASSWORD, '(Y/n)');
      await telnet.type('Y', 'MAIN MENU');
      const from = telnet.bytes.length;
      await telnet.type('2', 'glyphs-end');
      const received = telnet.bytes.subarray(from);
      // 0x08 BS, 0x0C FF, 0x05 ENQ, 0x07 BEL, 0x13 XOFF, 0x7F DEL... would act on the terminal.
      assertHarmless(received, { colour: true });
      expect(received.toString('latin1')).toMatch(/glyphs-start \S+ \S+ glyphs-end/);
    } finally {
      telnet.close();
    }
  });

  it('over a JSON socket and a WebSocket: no msg carries an escape, a C1 or a BiDi control', async () => {
    const json = await JsonSocketClient.open(bbs.frontPort);
    try {
      json.send('connect');
      await json.untilPrompt();
      const shown = (await lines(json, 'victim', PASSWORD, 'Y', '2', '', '4', 'Q')).join('\n');
      assertHarmless(shown);
      check(shown);
    } finally {
      json.destroy();
    }
    const ws = await WsCaller.open(bbs.frontPort);
    try {
      await ws.untilPrompt();
      const shown = (await lines(ws, 'victim', PASSWORD, 'Y', '2', '', '4', 'Q')).join('\n');
      assertHarmless(shown);
      check(shown);
    } finally {
      ws.ws.terminate();
    }
  });

  describeInBrowser('on the page, in a real browser', (browser) => {
    it('no script runs, the text shows literally, and no frame carries a control', async () => {
      const page = await browser.page({ width: 1200, height: 900 });
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const frames: string[] = [];
      page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => frames.push(String(payload))));
      await page.goto(bbs.httpUrl);
      const { scripts } = await page.evaluate(elements);
      await waitForScreen(page, "What's your name?");
      await answer(page, 'victim');
      await waitForScreen(page, 'password');
      await answer(page, PASSWORD);
      await waitForScreen(page, '(Y/n)');
      await answer(page, 'Y');
      await waitForScreen(page, 'MAIN MENU');
      await answer(page, '2');
      await waitForScreen(page, "That's all in");
      await answer(page, '');
      await waitForScreen(page, 'MAIN MENU', 2);
      await answer(page, '4');
      await waitForScreen(page, 'MAIN MENU', 3);
      const shown = await screen(page);
      expect(shown).toContain('<script>alert(1)</script>');
      expect(shown).toContain('<img src=x onerror=alert(2)>');
      check(shown);
      for (const frame of frames) assertHarmless((JSON.parse(frame) as { msg?: string }).msg ?? '');
      expect(await page.evaluate(elements)).toEqual({ scripts, images: 0 });
      expect(dialogs).toEqual([]);
    });
  });
});
