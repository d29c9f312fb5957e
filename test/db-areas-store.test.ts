import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { GENERAL_AREA_ID } from '../db/areas-store.js';
import { MIGRATIONS, migrate } from '../db/migrations.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { syncAreas } from '../handler/area-sync.js';
import { parseAreasFile } from '../handler/areas-file.js';
import type { ScreenProblem } from '../handler/screen-markup.js';

const T0 = 1_700_000_000_000;
// The schema version before areas (migration v7 added them).
const BEFORE_AREAS = 6;

function memoryStore(): Store {
  const store = createStore(openDatabase(':memory:'));
  onTestFinished(() => store.close());
  return store;
}

const names = (store: Store): string[] => store.areas.list().map((a) => `${a.name}: ${a.title}`);

describe('message areas in SQLite', () => {
  it('migrates a board from before areas: every message in General, ids, authors and counts kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-areas-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bbs.db');
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, BEFORE_AREAS));
    old.prepare("INSERT INTO callers (id, name, password_hash, created_at) VALUES (1, 'zed', 'h', ?)").run(T0);
    // Ids with gaps, as a board where the sysop deleted some has.
    for (const id of [3, 7, 8]) old.prepare('INSERT INTO messages (id, author_id, body, created_at) VALUES (?, 1, ?, ?)').run(id, `old message ${id}`, T0 + id);
    old.close();

    const store = createStore(openDatabase(file));
    onTestFinished(() => store.close());
    expect(store.areas.list()).toEqual([{ id: GENERAL_AREA_ID, name: 'general', title: 'General', messages: 3 }]);
    expect(store.areas.messages(GENERAL_AREA_ID, 0, 10).map((m) => [m.id, m.author, m.body, m.replyTo])).toEqual([
      [3, 'zed', 'old message 3', null],
      [7, 'zed', 'old message 7', null],
      [8, 'zed', 'old message 8', null],
    ]);
    expect(store.countMessages()).toBe(3);
    // New posts number on after the old ones.
    expect(store.postMessage(1, 'new one', T0 + 100)).toBe(9);
  });

  it('reconciles the file: adds, orders, retitles, renames keeping messages, archives and restores', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0).id;
    expect(names(store)).toEqual(['general: General']);

    expect(store.areas.reconcile([{ name: 'tech', title: 'Technical talk' }, { name: 'retro', title: 'Retro' }])).toMatchObject({ added: ['tech', 'retro'] });
    // General comes first when the file leaves it out.
    expect(names(store)).toEqual(['general: General', 'tech: Technical talk', 'retro: Retro']);
    const tech = store.areas.list()[1]!.id;
    const posted = store.areas.post(tech, zed, 'about tech', null, T0)!;

    const renamed = store.areas.reconcile([{ name: 'retro', title: 'Retro computing' }, { name: 'general', title: 'Lobby' }, { name: 'hardware', title: 'Hardware', was: 'tech' }]);
    expect(renamed).toMatchObject({ added: [], renamed: ['tech -> hardware'], archived: [] });
    expect(names(store)).toEqual(['retro: Retro computing', 'general: Lobby', 'hardware: Hardware']);
    expect(store.areas.list()[2]).toMatchObject({ id: tech, messages: 1 });
    expect(store.areas.messages(tech, 0, 10).map((m) => m.id)).toEqual([posted]);
    // The same file again changes nothing (every backend reconciles it).
    expect(store.areas.reconcile([{ name: 'retro', title: 'Retro computing' }, { name: 'general', title: 'Lobby' }, { name: 'hardware', title: 'Hardware', was: 'tech' }])).toEqual({ added: [], renamed: [], archived: [], restored: [], refused: [] });

    expect(store.areas.reconcile([{ name: 'retro', title: 'Retro computing' }])).toMatchObject({ archived: ['hardware'] });
    expect(names(store)).toEqual(['general: Lobby', 'retro: Retro computing']);
    // Archived, its messages are kept (but not there to reply to).
    expect(store.areas.messages(tech, 0, 10).map((m) => m.body)).toEqual(['about tech']);
    expect(store.areas.message(posted)).toBeUndefined();
    expect(store.areas.reconcile([{ name: 'hardware', title: 'Hardware' }])).toMatchObject({ restored: ['hardware'], archived: ['retro'] });
    expect(store.areas.list().find((a) => a.name === 'hardware')).toMatchObject({ id: tech, messages: 1 });
  });

  it('never merges two areas: a rename to a name that has an area already is refused, and the old area stays in force', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0).id;
    store.areas.reconcile([{ name: 'a', title: 'A' }, { name: 'b', title: 'B' }]);
    const [, a, b] = store.areas.list();
    const inA = store.areas.post(a!.id, zed, 'in a', null, T0);
    const changes = store.areas.reconcile([{ name: 'b', title: 'B', was: 'a' }]);
    expect(changes).toMatchObject({ renamed: [], refused: ['a -> b'], archived: [] });
    expect(store.areas.list().map((x) => x.id)).toEqual([GENERAL_AREA_ID, a!.id, b!.id]);
    expect(a!.id).not.toBe(b!.id);
    expect(store.areas.message(inA!)?.body).toBe('in a');
  });

  it('keeps the old area in force when a rename would revive an archived area of the new name', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0).id;
    store.areas.reconcile([{ name: 'b', title: 'Old B' }]);
    store.areas.reconcile([{ name: 'a', title: 'A' }]);
    const a = store.areas.list().find((x) => x.name === 'a')!;
    const inA = store.areas.post(a.id, zed, 'in a', null, T0);
    const changes = store.areas.reconcile([{ name: 'b', title: 'B', was: 'a' }]);
    expect(changes).toMatchObject({ renamed: [], refused: ['a -> b'], archived: [], restored: ['b'] });
    // Both in force, where the file puts b (the older area first).
    expect(names(store)).toEqual(['general: General', 'b: B', 'a: A']);
    expect(store.areas.list().find((x) => x.name === 'a')).toMatchObject({ id: a.id, messages: 1 });
    expect(store.areas.message(inA!)?.body).toBe('in a');
    // The same file again: still refused, still nothing archived.
    expect(store.areas.reconcile([{ name: 'b', title: 'B', was: 'a' }])).toMatchObject({ refused: ['a -> b'], archived: [] });
  });

  it('logs a refused rename once per backend, with what the sysop can do', () => {
    const store = memoryStore();
    const records: Record<string, unknown>[] = [];
    const log = createLogger('debug', { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
    const told = new Set<string>();
    syncAreas(store, [{ name: 'b', title: 'Old B' }], log, told);
    syncAreas(store, [{ name: 'a', title: 'A' }], log, told);
    for (let reload = 0; reload < 3; reload++) syncAreas(store, [{ name: 'b', title: 'B', was: 'a' }], log, told);
    const warnings = records.filter((r) => r.msg === 'area renames not made: both names have an area already');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      renames: ['a -> b'],
      todo: ['a stays as it is: remove "(was a)" from b\'s line, or rename the other b first (e.g. "b-old: Old title (was b)")'],
    });
    expect(names(store)).toEqual(['general: General', 'b: B', 'a: A']);
  });

  it('refuses a post in an archived area (nothing stored) and hides its messages from replies', () => {
    const store = memoryStore();
    const zed = store.createCaller('zed', 'h', T0).id;
    store.areas.reconcile([{ name: 'tech', title: 'Tech' }]);
    const tech = store.areas.list()[1]!.id;
    const posted = store.areas.post(tech, zed, 'about tech', null, T0)!;
    store.areas.reconcile([]);
    // Not on the board any more, for the built-in flows nor for a flow module listing it.
    expect(store.listMessages(0, 10)).toEqual([]);
    expect(store.areas.post(tech, zed, 'too late', null, T0 + 1)).toBeUndefined();
    expect(store.areas.post(tech, zed, 'a late reply', posted, T0 + 1)).toBeUndefined();
    expect(store.areas.message(posted)).toBeUndefined();
    store.areas.reconcile([{ name: 'tech', title: 'Tech' }]);
    expect(store.areas.messages(tech, 0, 10).map((m) => m.body)).toEqual(['about tech']);
    expect(store.areas.message(posted)?.body).toBe('about tech');
    expect(store.listMessages(0, 10).map((m) => m.body)).toEqual(['about tech']);
  });

  it('keeps replies, read marks and unread counts per caller and area; a caller own posts are never new', () => {
    const store = memoryStore();
    store.areas.reconcile([{ name: 'tech', title: 'Tech' }]);
    const tech = store.areas.list()[1]!.id;
    const ann = store.createCaller('ann', 'h', T0).id;
    const bob = store.createCaller('bob', 'h', T0).id;
    const first = store.areas.post(GENERAL_AREA_ID, ann, 'hello', null, T0);
    const reply = store.areas.post(GENERAL_AREA_ID, bob, '> hello\nhi ann', first!, T0 + 1);
    store.areas.post(tech, ann, 'tech 1', null, T0 + 2);
    expect(store.areas.message(reply!)).toMatchObject({ replyTo: first, replyToAuthor: 'ann', author: 'bob' });
    expect(() => store.areas.post(GENERAL_AREA_ID, bob, 'x', 999, T0)).toThrow(RangeError);
    expect(() => store.areas.post(999, bob, 'x', null, T0)).toThrow(RangeError);

    const unread = (caller: number): [string, number][] => store.areas.news(caller).map((a) => [a.name, a.unread]);
    expect(unread(bob)).toEqual([['general', 1], ['tech', 1]]);
    expect(unread(ann)).toEqual([['general', 1], ['tech', 0]]);
    // ann was up to date in General when she posted: her mark moved past her own message then.
    expect(store.areas.news(ann)[0]).toMatchObject({ lastReadId: first, waiting: 1 });
    // Reading a page marks up to its last message, and only that far.
    expect(store.areas.read(bob, GENERAL_AREA_ID, 0, 1).map((m) => m.id)).toEqual([first]);
    expect(unread(bob)).toEqual([['general', 0], ['tech', 1]]);
    expect(store.areas.news(bob)[0]).toMatchObject({ lastReadId: first, waiting: 1 });
    // Reading again from the start never moves a mark back.
    store.areas.read(bob, tech, 0, 5);
    store.areas.read(bob, GENERAL_AREA_ID, 0, 1);
    expect(store.areas.news(bob)[0]).toMatchObject({ lastReadId: first });
    expect(unread(bob)).toEqual([['general', 0], ['tech', 0]]);
  });

  it('counts what is new the same whichever end of a long area the mark is near, messages deleted or not', () => {
    const db = openDatabase(':memory:');
    const store = createStore(db);
    onTestFinished(() => store.close());
    const ann = store.createCaller('ann', 'h', T0).id;
    const bob = store.createCaller('bob', 'h', T0).id;
    const board: { id: number; author: number }[] = [];
    for (let i = 0; i < 60; i++) {
      const author = i % 3 === 0 ? bob : ann;
      board.push({ id: store.areas.post(GENERAL_AREA_ID, author, `message ${i}`, null, T0 + i)!, author });
    }
    const seen = (): { lastReadId: number; waiting: number; unread: number } => store.areas.news(bob).find((a) => a.id === GENERAL_AREA_ID)!;
    // What bob should be told: every message after his mark, and those of them not his.
    const expected = (mark: number): { lastReadId: number; waiting: number; unread: number } => {
      const after = board.filter((m) => m.id > mark);
      return { lastReadId: mark, waiting: after.length, unread: after.filter((m) => m.author !== bob).length };
    };
    // bob read the first page only: his mark is near the start of the area.
    const early = store.areas.read(bob, GENERAL_AREA_ID, 0, 5).at(-1)!.id;
    expect(seen()).toMatchObject(expected(early));
    // The sysop deletes messages on both sides of the mark: the counts follow.
    for (const gone of [board[1]!, board[10]!, board[59]!]) {
      db.prepare('DELETE FROM messages WHERE id = ?').run(gone.id);
      board.splice(board.indexOf(gone), 1);
    }
    expect(seen()).toMatchObject(expected(early));
    // Near the end of the area.
    const late = store.areas.read(bob, GENERAL_AREA_ID, early, 50).at(-1)!.id;
    expect(late).toBeGreaterThan(board[board.length - 5]!.id - 1);
    expect(seen()).toMatchObject(expected(late));
    // Everything read, then the area emptied.
    const end = store.areas.read(bob, GENERAL_AREA_ID, late, 10).at(-1)!.id;
    expect(seen()).toMatchObject({ ...expected(end), waiting: 0, unread: 0 });
    db.exec('DELETE FROM messages');
    board.length = 0;
    expect(seen()).toMatchObject({ lastReadId: end, waiting: 0, unread: 0 });
  });
});

describe('screens/areas.conf', () => {
  it('reads areas in order, a rename, and says every mistake with its line', () => {
    const problems: ScreenProblem[] = [];
    const source = [
      '# areas',
      'general: The lobby',
      'tech: Technical talk',
      'hardware: Hardware (was gadgets)',
      'Bad_Name: Title',
      'tech: Again',
      'empty:',
      'no colon here',
      'loop: Loop (was loop)',
      'tools: Tools (was tech)',
      'lobby: Lobby (was general)',
      'gear: Gear (was gadgets)',
      `long: ${'x'.repeat(41)}`,
    ].join('\n');
    const defs = parseAreasFile('areas.conf', source, problems);
    expect(defs.slice(0, 3)).toEqual([
      { name: 'general', title: 'The lobby' },
      { name: 'tech', title: 'Technical talk' },
      { name: 'hardware', title: 'Hardware', was: 'gadgets' },
    ]);
    expect(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).map((p) => `${p.line}: ${p.message}`)).toEqual([
      '5: area name "Bad_Name": expected 1 to 24 lowercase letters, digits, _ and -, starting with a letter or digit',
      '6: area tech again (it is on line 3)',
      '7: area empty has no title: write it after "empty:"',
      '8: expected "name: Title" (or "new-name: Title (was old-name)" to rename), got "no colon here"',
      '9: area loop says it was itself: remove "(was loop)"',
      '10: area tools says it was tech, but tech is still listed (line 3): remove that line to rename',
      '11: General cannot be renamed (give it another title instead: "general: Your title")',
      '12: area gear renames gadgets too (line 4 already does)',
      '13: area long: a title of at most 40 characters, got 41',
    ]);
  });
});
