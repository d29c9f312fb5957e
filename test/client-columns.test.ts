import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BbsCall, type CallEvent } from '../client/bbs-call.js';
import { textColumns, wrapText } from '../handler/text-wrap.js';
import { CallEvents } from './support/call-events.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { TmuxTerminal, hasTmux } from './support/tmux.js';

const DIAL = `${process.execPath} ${fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url))} dial`;

const LEAVE = 'Leave a message: up to 20 lines of up to 200 characters. A line with only a . on it ends the message.';
// What the BBS said (screens and prompts), from event `from` on, line by line.
const said = (events: readonly CallEvent[]): string[] =>
  events.flatMap((event) => (event.kind === 'text' ? event.text.split('\n') : event.kind === 'prompt' ? event.msg.split('\n') : []));

describe('m2bbs dial (a JSON-socket client) tells the BBS its width', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs?.close();
  });

  it('gets every screen wrapped to the columns it gives with each line, and a new width from the next line on', async () => {
    let width = 40;
    const events = new CallEvents();
    const call = new BbsCall({ host: '127.0.0.1', port: bbs.frontPort, route: '@bbs', dialTimeoutMs: 10_000, colour: false, onEvent: events.push, columns: () => width });
    try {
      call.dial();
      await events.prompt(0);
      for (const line of ['columnist', 'columns-pw', 'y', 'columns-pw', '']) {
        const next = events.prompt();
        call.send(line);
        await next;
      }
      const from = events.all.length;
      const next = events.prompt();
      call.send('1');
      await next;
      const narrow = said(events.all.slice(from));
      expect(Math.max(...said(events.all).map(textColumns))).toBeLessThanOrEqual(40);
      expect(narrow.join(' ')).toContain(LEAVE);

      width = 60;
      for (const line of ['.', '1']) {
        const again = events.prompt();
        call.send(line);
        await again;
      }
      const wider = said(events.all).filter((line) => line.startsWith('Leave a message:')).at(-1) ?? '';
      expect(textColumns(wider)).toBeGreaterThan(40);
      expect(textColumns(wider)).toBeLessThanOrEqual(60);
    } finally {
      await call.hangUp();
    }
  });

  it.runIf(hasTmux())('in a real 40-column terminal (tmux), m2bbs dial --plain shows screens broken at spaces, not where the terminal runs out', async () => {
    const t = new TmuxTerminal(40, 30);
    try {
      await t.shellBack();
      t.send(`${DIAL} --plain 127.0.0.1:${bbs.frontPort}`, 'Enter');
      await t.until((screen) => screen.includes("What's your name?"), 'the name prompt');
      for (const [line, next] of [['tmuxer', 'password?'], ['tmuxer-pw-1', '(Y/n)'], ['y', 'sure.'], ['tmuxer-pw-1', 'continue?'], ['', 'MAIN MENU']] as const) {
        t.send(line, 'Enter');
        await t.until((screen) => screen.trimEnd().endsWith('>') && screen.includes(next), next);
      }
      t.send('1', 'Enter');
      const screen = await t.until((shown) => shown.includes(' 1>'), 'the message editor');
      const rows = screen.split('\n').map((row) => row.trimEnd());
      for (const line of wrapText(LEAVE, 40).split('\n')) expect(rows).toContain(line);
      t.send('', 'C-c');
      await t.shellBack();
    } finally {
      t.close();
    }
  });
});
