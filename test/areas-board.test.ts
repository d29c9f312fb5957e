/**
 * Message areas through the whole BBS: real `m2bbs handler` processes behind the real proxy, on
 * one SQLite file, callers on telnet. Posting in two areas, a reply with a quote, the new scan,
 * a board from before areas (one area: R at its end), and a sysop renaming an area while the BBS runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MIGRATIONS, migrate } from '../db/migrations.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { screenFolder, type ScreenFolder } from './support/screen-folder.js';
import type { TelnetCaller } from './support/telnet-caller.js';
import { telnetBoardPerTest } from './support/telnet-board.js';
import type { TestBbs } from './support/test-bbs.js';

const MENU = 'MAIN MENU';

/** The screen text without colour codes and carriage returns. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
}
// The schema version before areas (migration v7 added them).
const BEFORE_AREAS = 6;

describe('message areas', () => {
  const board = telnetBoardPerTest();
  const { caller } = board;

  async function start(folder: ScreenFolder, more: readonly string[] = []): Promise<TestBbs> {
    return board.start({ backends: 2, handlerArgs: ['--screens', folder.dir, ...more] });
  }

  // Types a line and returns what the BBS showed after it, up to `next`, as plain lines.
  async function says(telnet: TelnetCaller, line: string, next: string | RegExp): Promise<string> {
    return plain(await telnet.type(line, next));
  }

  it('posts in two areas, replies with a quote, and scans exactly what is new for each caller', async () => {
    const folder = screenFolder();
    folder.write('areas.conf', 'general: General\ntech: Technical talk\n');
    await start(folder);
    const ann = await caller('ann');
    expect(await says(ann, '1', 'Type its number or name')).toContain('Leave your message in which area?\n1. General\n2. Technical talk\n');
    await says(ann, '2', '1> ');
    await says(ann, 'Tech post one.', '2> ');
    expect(await says(ann, '.', MENU)).toContain('Your message is on the board as number 1.');
    await says(ann, '1', 'Type its number or name');
    await says(ann, 'general', '1> ');
    await says(ann, 'General hello.', '2> ');
    await says(ann, 'A second line.', '3> ');
    expect(await says(ann, '.', MENU)).toContain('Your message is on the board as number 2.');

    // A new caller is told at login what is new, area by area.
    const bob = await caller('bob');
    expect(plain(bob.text)).toContain('New: General 1, Technical talk 1\n');
    expect(await says(bob, 'N', 'Read them?')).toContain('General: 1 new.');
    const read = await says(bob, 'y', "That's all in General");
    expect(read).toContain('--- #2 from ann');
    expect(read).toContain('General hello.\nA second line.');
    // R replies to the last message shown: quoted, and the caller keeps the first line only.
    const quoted = await says(bob, 'R', 'lines to keep');
    expect(quoted).toContain('Replying to #2 by ann. Their message, quoted:\n 1> > General hello.\n 2> > A second line.\n');
    const editor = await says(bob, '1', '2> ');
    expect(editor).toContain(' 1> > General hello.\n');
    expect(editor).not.toContain('A second line.');
    await says(bob, 'Hello ann, welcome.', '3> ');
    expect(await says(bob, '.', "That's all in General")).toContain('Your reply to #2 by ann is on the board as number 3.');
    expect(await says(bob, '', 'Read them?')).toContain('Technical talk: 1 new.');
    expect(await says(bob, 'n', MENU)).toContain('End of the new-message scan.');
    // Skipped is still new; bob's own reply is never new to him.
    const again = await says(bob, 'N', 'Read them?');
    expect(again).toContain('Technical talk: 1 new.');
    expect(again).not.toContain('General:');
    await says(bob, 'q', MENU);

    // ann sees bob's reply as new, with what it replies to and the quote, then nothing more.
    expect(await says(ann, 'N', 'Read them?')).toContain('General: 1 new.');
    const reply = await says(ann, 'y', "That's all in General");
    expect(reply).toContain('--- #3 from bob');
    expect(reply).toContain('Re: #2 by ann\n> General hello.\nHello ann, welcome.');
    expect(reply).not.toContain('--- #2 ');
    await says(ann, '', MENU);
    expect(await says(ann, 'N', MENU)).toContain('Nothing new since you last read.');

    const db = new Database(board.bbs.dbFile, { readonly: true });
    try {
      const rows = db.prepare('SELECT m.id, a.name AS area, m.reply_to AS replyTo, m.body FROM messages m JOIN areas a ON a.id = m.area_id ORDER BY m.id').all();
      expect(rows).toEqual([
        { id: 1, area: 'tech', replyTo: null, body: 'Tech post one.' },
        { id: 2, area: 'general', replyTo: null, body: 'General hello.\nA second line.' },
        { id: 3, area: 'general', replyTo: 2, body: '> General hello.\nHello ann, welcome.' },
      ]);
    } finally {
      db.close();
    }
  });

  it('works the same for a JSON-socket caller: the summary at login, an area picked by name, a reply', async () => {
    const folder = screenFolder();
    folder.write('areas.conf', 'general: General\ntech: Technical talk\n');
    await start(folder);
    const eve = await caller('eve');
    await says(eve, '1', 'Type its number or name');
    await says(eve, 'tech', '1> ');
    await says(eve, 'For the JSON caller.', '2> ');
    await says(eve, '.', MENU);

    const json = await JsonSocketClient.open(board.bbs.frontPort);
    onTestFinished(() => json.destroy());
    await json.exchange('connect');
    for (const line of ['fay', 'fay-password', 'y', 'fay-password']) await json.exchange(line);
    const menu = await json.exchange('');
    expect(menu.texts).toContain('New: Technical talk 1');
    expect((await json.exchange('2')).prompt?.msg).toContain('2. Technical talk (1, 1 new)');
    const read = await json.exchange('technical talk');
    expect(read.texts.join('\n')).toContain('For the JSON caller.');
    expect(read.prompt?.msg).toContain("That's all in Technical talk");
    expect((await json.exchange('R')).prompt?.msg).toContain(' 1> > For the JSON caller.');
    expect((await json.exchange('n')).prompt).toMatchObject({ pchar: ' 1> ' });
    await json.exchange('Got it.');
    expect((await json.exchange('.')).texts).toContain('Your reply to #1 by eve is on the board as number 2.');
    expect((await says(eve, 'N', 'Read them?'))).toContain('Technical talk: 1 new.');
    expect(await says(eve, 'y', "That's all in Technical talk")).toContain('--- #2 from fay');
  });

  it('keeps every message of a board from before areas, all in General with their numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-old-board-'));
    const file = join(dir, 'bbs.db');
    try {
      // The database an earlier m2bbs left: migrations up to v6 only, messages with gaps in their ids.
      const old = new Database(file);
      migrate(old, MIGRATIONS.slice(0, BEFORE_AREAS));
      old.prepare("INSERT INTO callers (id, name, password_hash, created_at) VALUES (1, 'zed', 'x', 0)").run();
      for (const id of [4, 9, 10]) old.prepare('INSERT INTO messages (id, author_id, body, created_at) VALUES (?, 1, ?, 0)').run(id, `From the old board, number ${id}.`);
      old.close();

      await start(screenFolder(), ['--db', file]);
      const cy = await caller('cy');
      expect(plain(cy.text)).toContain('New: General 3\n');
      const read = await says(cy, '2', "That's all in General");
      expect(read).toContain('Messages on the board: 3, oldest first.');
      for (const id of [4, 9, 10]) expect(read).toContain(`--- #${id} from zed, 1970-01-01 00:00 UTC\nFrom the old board, number ${id}.`);
      // One area only: the end of the board still asks, and R replies to the last message shown.
      expect(await says(cy, 'R', 'lines to keep')).toContain('Replying to #10 by zed.');
      await says(cy, 'n', '1> ');
      await says(cy, 'Still here.', '2> ');
      expect(await says(cy, '.', "That's all in General")).toContain('Your reply to #10 by zed is on the board as number 11.');
      await says(cy, '', MENU);
      expect(await says(cy, 'N', MENU)).toContain('Nothing new since you last read.');
      await board.stop();
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare('SELECT id, area_id AS area FROM messages ORDER BY id').all()).toEqual([4, 9, 10, 11].map((id) => ({ id, area: 1 })));
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps an area messages when the sysop renames it while callers are on', async () => {
    const folder = screenFolder();
    folder.write('areas.conf', 'general: General\ntech: Tech talk\n');
    const running = await start(folder);
    const dee = await caller('dee');
    await says(dee, '1', 'Type its number or name');
    await says(dee, 'tech', '1> ');
    await says(dee, 'Posted before the rename.', '2> ');
    await says(dee, '.', MENU);

    const marks = running.handlers.map((h) => h.records.length);
    folder.replace('areas.conf', 'general: General\nhardware: Hardware (was tech)\n');
    await Promise.all(running.handlers.map((h, i) => h.waitForLog((r) => r.msg === 'screens reloaded', marks[i])));
    const list = await says(dee, '2', 'Type its number or name');
    expect(list).toContain('Read which area?\n1. General (0)\n2. Hardware (1)\n');
    expect(await says(dee, '2', "That's all in Hardware")).toContain('Posted before the rename.');
    await says(dee, '', MENU);

    // A broken file is refused whole: the areas stay as they are, the mistake named with its line.
    const before = running.handlers.map((h) => h.records.length);
    folder.replace('areas.conf', 'general: General\nHardware!: Hardware\n');
    const refused = await running.handlers[0]!.waitForLog((r) => r.msg === 'screens not reloaded', before[0]);
    expect(refused.problems).toEqual([`${folder.path('areas.conf')}:2: area name "Hardware!": expected 1 to 24 lowercase letters, digits, _ and -, starting with a letter or digit`]);
    expect(await says(dee, '2', 'Type its number or name')).toContain('2. Hardware (1)');
    await says(dee, '', MENU);
  });
});
