/**
 * A call's journal is bounded while the call goes on: a caller typing at the main menu thousands
 * of times keeps about KEPT_HISTORY_ROWS rows before where a takeover replays from, not every line
 * since they called; a takeover still carries on, and the sysop's replay starts at a menu it kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { KEPT_HISTORY_ROWS } from '../db/journal-store.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { transcriptOf } from '../handler/call-transcript.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { bbs } from '../handler/flows/bbs.js';
import { Journal, MAX_BYTES_SINCE_START, MAX_ROWS_SINCE_START } from '../handler/journal.js';
import { loadScreens, loadScreenSet, type Screens } from '../handler/screens.js';
import { screenFolder } from './support/screen-folder.js';
import { createHarness, registerAtMenu, SERVER_UUID, TEST_LIMITS, type Harness } from './support/harness.js';

const CALL = `m2/${SERVER_UUID}/0/1`;
const harnesses: Harness[] = [];
let dir = '';

afterEach(() => {
  for (const h of harnesses.splice(0)) h.close();
  rmSync(dir, { recursive: true, force: true });
});

function backend(file: string, owner: string, screens?: () => Screens): Harness & { readonly store: Store } {
  const store = createStore(openDatabase(file));
  const h = createHarness({ store, journal: new Journal({ store: store.journal, owner, log: createLogger('silent'), now: Date.now }), ...(screens === undefined ? {} : { screens }) });
  harnesses.push(h);
  return Object.assign(h, { store });
}

/** A board in a temp folder, backend A on it, ann signed up at its main menu, and a reader of her call's rows. */
async function annAtMenu(screens?: () => Screens) {
  dir = mkdtempSync(join(tmpdir(), 'm2bbs-history-'));
  const file = join(dir, 'bbs.db');
  const a = backend(file, 'A', screens);
  const ann = await registerAtMenu(a, '1', 'ann', 'secret1');
  const board = new Database(file, { readonly: true });
  const rows = board.prepare('SELECT count(*) FROM journal WHERE conversation = ?').pluck();
  return { file, a, ann, board, rows };
}

describe("a call's journal while the call goes on", () => {
  it('keeps a bounded history of a caller typing at the menu, and a takeover and a replay still work', async () => {
    const { file, a, ann, board, rows } = await annAtMenu();
    const bytes = board.prepare('SELECT sum(length(value)) FROM journal WHERE conversation = ?').pluck();
    const line = `nonsense ${'x'.repeat(1000)}`;
    const most = { rows: 0, bytes: 0 };
    for (let n = 1; n <= 3 * KEPT_HISTORY_ROWS; n++) {
      await ann.say(line);
      if (n % 100 === 0) {
        most.rows = Math.max(most.rows, rows.get(CALL) as number);
        most.bytes = Math.max(most.bytes, bytes.get(CALL) as number);
      }
    }
    expect(ann.replies.at(-1)?.msg).toContain('MAIN MENU');
    // Each menu answer journals four rows; without the bound, the 12,000 answers kept all 48,000.
    expect(most.rows).toBeGreaterThan(KEPT_HISTORY_ROWS);
    expect(most.rows).toBeLessThan(2 * KEPT_HISTORY_ROWS + 50);
    expect(most.bytes).toBeLessThan(2 * KEPT_HISTORY_ROWS * 1100);
    const keptFrom = board.prepare('SELECT kept_from_n FROM conversations WHERE id = ?').pluck().get(CALL) as number;
    expect(keptFrom).toBeGreaterThan(KEPT_HISTORY_ROWS);

    // Another backend takes the call over and it goes on where it was, at the main menu.
    const b = backend(file, 'B');
    const moved = b.caller('1', { RESUME: '1' });
    await moved.say('1');
    expect(moved.transcript()).toContain('Leave a message');
    await moved.say('Still ann after all that.');
    await moved.say('.');
    expect(moved.transcript()).toContain('is on the board as number 1');
    expect(board.prepare('SELECT c.name FROM messages m JOIN callers c ON c.id = m.author_id').pluck().all()).toEqual(['ann']);

    // The sysop's replay starts at the menu the kept rows begin with.
    const history = b.store.journal.history(CALL);
    expect(history?.keptFrom).toBeGreaterThan(0);
    expect(history?.rows[0]).toMatchObject({ n: history?.keptFrom, kind: 'checkpoint' });
    const entries = transcriptOf(history?.rows ?? [], loadScreens(SHIPPED_SCREENS) as Screens, (start) => bbs(TEST_LIMITS, start));
    const texts = entries.map((entry) => `${entry.kind}: ${entry.text}`);
    expect(texts[0]).toContain('MAIN MENU');
    expect(texts).toContain('typed: Still ann after all that.');
    expect(texts.at(-1)).not.toContain('does not fit');
    board.close();
  });

  it('deletes every row of a call that ends while rows cut off its history wait to be deleted, once it is pruned', async () => {
    const { a, ann, board } = await annAtMenu();
    const trimming = board.prepare('SELECT trim_row FROM conversations WHERE id = ?').pluck();
    // Typed at the menu until a trim has cut the history and not yet deleted all it cut off.
    for (let n = 0; trimming.get(CALL) === null; n++) {
      if (n > 3 * KEPT_HISTORY_ROWS) throw new Error('no trim began');
      await ann.say('nonsense');
    }
    ann.hangUp();
    expect(board.prepare('SELECT closed_at FROM conversations WHERE id = ?').pluck().get(CALL)).not.toBeNull();
    // A week later the call is pruned: its rows, the chain and the part cut off alike.
    a.store.journal.pruneClosed(Date.now() + 8 * 24 * 3600_000, 500);
    expect(board.prepare('SELECT count(*) FROM journal WHERE conversation = ?').pluck().get(CALL)).toBe(0);
    board.close();
  });

  it('keeps it bounded for a caller asking for help over and over, and a takeover goes on at the prompt after the help', async () => {
    const { file, a, ann, board, rows } = await annAtMenu();
    let most = 0;
    for (let n = 1; n <= 2 * KEPT_HISTORY_ROWS; n++) {
      await ann.say('?');
      if (n % 100 === 0) most = Math.max(most, rows.get(CALL) as number);
    }
    expect(ann.replies.at(-1)?.msg).toMatch(/^Your choice: .* \(Enter shows the menu\)\.$/);
    expect(most).toBeLessThan(2 * KEPT_HISTORY_ROWS + 50);

    const b = backend(file, 'B');
    const moved = b.caller('1', { RESUME: '1' });
    await moved.say('2');
    // Rebuilt where it was (the board not updated, nothing started again): 2 reads the board.
    expect(moved.transcript()).toContain('No messages on the board yet');
    expect(moved.transcript()).not.toContain('updated');
    expect(moved.transcript()).not.toContain('Welcome');
    board.close();
  });
  it('keeps it bounded in a menu opened from the main menu, and a takeover goes on in that menu', async () => {
    const folder = screenFolder();
    folder.write('games.menu', 'title: GAMES\nmenu: main\nkey: G\nlabel: Games.\n\n1. How to play.   -> screen howto\nQ. Back.          -> back\n');
    folder.write('howto.txt', 'Guess well.\n');
    const set = await loadScreenSet(folder.dir);
    const { file, ann, board, rows } = await annAtMenu(() => set);
    await ann.say('G');
    expect(ann.replies.at(-1)?.msg).toContain('GAMES');
    let most = 0;
    for (let n = 1; n <= 3000; n++) {
      await ann.say('nonsense');
      if (n % 100 === 0) most = Math.max(most, rows.get(CALL) as number);
    }
    // Four rows an answer: without a checkpoint in the games menu, 3,000 answers kept all 12,000.
    expect(most).toBeLessThan(2 * KEPT_HISTORY_ROWS + 50);

    const b = backend(file, 'B', () => set);
    const moved = b.caller('1', { RESUME: '1' });
    await moved.say('1');
    // Rebuilt in the games menu, opened from the main menu: 1 is its own entry, Q goes back to main.
    expect(moved.transcript()).toContain('Guess well.');
    await moved.say('Q');
    expect(moved.replies.at(-1)?.msg).toContain('MAIN MENU');
    expect(moved.transcript()).not.toContain('updated');
    board.close();
  });

  it('ends a call typing on into a full message (no checkpoint comes), the message kept as a draft, its journal bounded', async () => {
    const { ann, board, rows } = await annAtMenu();
    await ann.say('1');
    await ann.say('Kept, whatever comes after.');
    const line = 'y'.repeat(4000);
    let said = 0;
    // Lines past the message's limit are refused ("Not added"), each a journal row, and no
    // checkpoint comes until the caller ends the message: bounded all the same.
    while (!ann.closed && said < MAX_ROWS_SINCE_START + 100) {
      await ann.say(line);
      said++;
    }
    expect(ann.closed).toBe(true);
    // Cut by bytes: 16 MB of 4 KB lines.
    expect(said).toBeGreaterThan(MAX_BYTES_SINCE_START / 4000 - 100);
    const seen = ann.transcript();
    expect(seen).toContain('This call has gone a long way without getting back to a menu, so it ends here:');
    expect(seen).toContain('What you were writing was not posted');
    expect(board.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    expect(board.prepare('SELECT body FROM drafts').pluck().get()).toContain('Kept, whatever comes after.');
    expect(rows.get(CALL) as number).toBeLessThan(MAX_BYTES_SINCE_START / 4000 + 200);
  });
});
