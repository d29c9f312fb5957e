/**
 * Private mail against what others do meanwhile: an inbox another caller filled costs, and
 * journals, the pages shown, not the whole inbox; a walk carries on where it was after a takeover,
 * shows each mail once whatever the clock does; mail to a caller deleted meanwhile is not stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { deleteCaller } from '../db/sysop-board-changes.js';
import { Journal } from '../handler/journal.js';
import { createHarness, registerAtMenu, SERVER_UUID, type Harness } from './support/harness.js';

const FLOOD = 3000;
let dir = '';
const harnesses: Harness[] = [];

afterEach(() => {
  for (const h of harnesses.splice(0)) h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A new board file in a temp folder of its own (removed after the test). */
function boardFile(): string {
  dir = mkdtempSync(join(tmpdir(), 'm2bbs-mail-'));
  return join(dir, 'bbs.db');
}

/** A backend on the board in `file`, journaling as `owner`. */
function backend(file: string, owner: string): Harness {
  const store = createStore(openDatabase(file));
  const h = createHarness({ store, journal: new Journal({ store: store.journal, owner, log: createLogger('silent'), now: Date.now }) });
  harnesses.push(h);
  return h;
}

describe('an inbox filled by another caller', () => {
  it('shows the counts and a page at a time, journals a few KB, and goes on from its page after a takeover', async () => {
    const file = boardFile();
    const a = backend(file, 'A');
    await registerAtMenu(a, '9', 'spammer', 'secret9');
    const zed = await registerAtMenu(a, '1', 'zed', 'secret1');
    const board = new Database(file);
    const [spammer, zedId] = ['spammer', 'zed'].map((name) => board.prepare('SELECT id FROM callers WHERE name = ?').pluck().get(name) as number);
    const send = board.prepare('INSERT INTO mail (from_id, to_id, body, created_at, read_at) VALUES (?, ?, ?, ?, ?)');
    board.transaction(() => {
      send.run(spammer, zedId, 'read long ago', 1_000, 2_000);
      for (let n = 1; n <= FLOOD; n++) send.run(spammer, zedId, `spam number ${n}`, 10_000 + n, null);
    })();

    await zed.say('4');
    const first = zed.transcript();
    expect(first).toContain(`New messages for you: ${FLOOD} of ${FLOOD + 1}, new ones first.`);
    expect(first).toContain('spam number 1\n');
    expect(first).toContain('spam number 5\n');
    expect(first).not.toContain('spam number 6\n');

    // Its backend goes; the next one takes the call over at the "more" prompt.
    const b = backend(file, 'B');
    const moved = b.caller('1', { RESUME: '1' });
    await moved.say('');
    const second = moved.transcript();
    for (const n of [6, 7, 8, 9, 10]) expect(second).toContain(`spam number ${n}\n`);
    for (const n of [1, 5, 11]) expect(second).not.toContain(`spam number ${n}\n`);
    await moved.say('Q');
    expect(board.prepare('SELECT count(*) FROM mail WHERE to_id = ? AND read_at IS NULL').pluck().get(zedId)).toBe(FLOOD - 10);

    // The whole visit journaled a few KB: the pages shown, not 3,000 mail ids.
    const rows = board.prepare('SELECT length(value) AS bytes FROM journal WHERE conversation = ?').all(`m2/${SERVER_UUID}/0/1`) as { bytes: number | null }[];
    const bytes = rows.map((row) => row.bytes ?? 0);
    expect(Math.max(...bytes)).toBeLessThan(2_000);
    expect(bytes.reduce((sum, n) => sum + n, 0)).toBeLessThan(12_000);
    board.close();
  });

  it('shows each mail once in a visit even when the clock steps back while the caller reads', async () => {
    let now = 10_000_000;
    let backwards = false;
    // After the inbox opens, every reading of the clock is 100 ms earlier than the one before.
    const clock = (): number => (backwards ? (now -= 100) : now);
    const h = createHarness({ clock });
    harnesses.push(h);
    await registerAtMenu(h, '9', 'spammer', 'secret9');
    const zed = await registerAtMenu(h, '1', 'zed', 'secret1');
    const [from, to] = ['spammer', 'zed'].map((name) => h.services.findCaller(name)?.id ?? 0) as [number, number];
    for (let n = 1; n <= 7; n++) h.services.sendMail(from, to, `mail number ${n}`);

    const opened = zed.replyMatching((reply) => reply.msg.includes('New messages for you'));
    const asked = zed.say('4');
    await opened;
    backwards = true;
    await asked;
    await zed.say('');
    const text = zed.transcript();
    expect(text).toContain('New messages for you: 7 of 7, new ones first.');
    for (let n = 1; n <= 7; n++) expect(text.split(`mail number ${n}\n`)).toHaveLength(2);
    expect(text).not.toContain('[read]');
    expect(h.services.countUnreadMail(to)).toBe(0);
  });

  it('shows at its next visit every mail the last one marked read, even in the same millisecond', async () => {
    // A clock that does not move: the second visit opens in the millisecond the first marked its page.
    const h = createHarness({ clock: () => 5_000_000 });
    harnesses.push(h);
    await registerAtMenu(h, '9', 'spammer', 'secret9');
    const zed = await registerAtMenu(h, '1', 'zed', 'secret1');
    const [from, to] = ['spammer', 'zed'].map((name) => h.services.findCaller(name)?.id ?? 0) as [number, number];
    for (let n = 1; n <= 6; n++) h.services.sendMail(from, to, `mail number ${n}`);

    await zed.say('4');
    await zed.say('Q');
    const before = zed.transcript().length;
    await zed.say('4');
    const again = zed.transcript().slice(before);
    expect(again).toContain('New messages for you: 1 of 6, new ones first.');
    const shown = [...again.matchAll(/\[(NEW|read)\] from spammer, .*\n(?:BBS. )?(mail number \d)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(shown).toEqual(['NEW mail number 6', 'read mail number 1', 'read mail number 2', 'read mail number 3', 'read mail number 4']);
  });

  it('stores no mail for a caller the sysop deletes while it is written, and shows the writer their text', async () => {
    const file = boardFile();
    const h = backend(file, 'A');
    await registerAtMenu(h, '9', 'tgt', 'secret9');
    const bob = await registerAtMenu(h, '1', 'bob', 'secret1');
    await bob.say('3');
    await bob.say('tgt');
    await bob.say('see you at the meeting');
    const sysop = new Database(file);
    deleteCaller(sysop, h.services.findCaller('tgt')?.id ?? 0, 'keep', Date.now());
    const before = bob.transcript().length;
    const menu = await bob.say('.');
    const after = bob.transcript().slice(before);
    expect(after).toContain('Nobody called tgt calls this board. Back to the menu.');
    expect(after).toContain('see you at the meeting');
    expect(after).not.toContain('Sent to tgt');
    expect(menu?.msg).toContain('MAIN MENU');
    expect(sysop.prepare('SELECT count(*) FROM mail').pluck().get()).toBe(0);
    sysop.close();
  });
});
