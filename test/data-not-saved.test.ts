/**
 * What callers see when the board cannot store what they wrote: the real engine, flows and
 * shipped screens on a real SQLite file that is full (capped with maxBytes, as --db-max-size
 * does) or deleted. They are told it was NOT saved, see their words again, get no number, and a
 * retry once there is room is stored exactly once; the log says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { isWriteFailure } from '../db/write-failure.js';
import { createHarness, registerAtMenu, type Harness } from './support/harness.js';
import { immutableUnsupported, makeImmutable } from './support/immutable-files.js';
import { wrapText } from '../handler/text-wrap.js';

// A screen's lines in a transcript, as a caller of 80 columns (nobody said otherwise) is shown them.
const shown = (text: string): string => wrapText(text, 80).split('\n').map((line) => `BBS| ${line}`).join('\n');

const T0 = 1_700_000_000_000;

interface Board {
  readonly file: string;
  readonly store: Store;
  readonly harness: Harness;
  readonly logs: Record<string, unknown>[];
}

/** A board on a file in a temp folder, capped at the size it has once opened (so: full soon). */
function cappedBoard(): Board {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-data-'));
  const file = join(dir, 'bbs.db');
  const store = createStore(openDatabase(file, { maxBytes: 1 }));
  const logs: Record<string, unknown>[] = [];
  const log = createLogger('info', { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const harness = createHarness({ store, log });
  onTestFinished(() => {
    harness.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { file, store, harness, logs };
}

/** Writes rows of shrinking size until not even one byte more fits; returns how many were stored. */
function fillUp(write: (body: string, i: number) => void): number {
  let stored = 0;
  for (const size of [2000, 200, 20, 1]) {
    for (;;) {
      try {
        write('f'.repeat(size), stored);
        stored += 1;
      } catch (err) {
        if (!isWriteFailure(err)) throw err;
        break;
      }
    }
  }
  return stored;
}

/** Frees room as a sysop would, from another connection: the file grows, then its pages are freed. */
function makeRoom(file: string): void {
  const sysop = new Database(file);
  try {
    const insert = sysop.prepare("INSERT INTO wall_lines (wall, author_id, body, created_at) VALUES ('spare', 1, ?, 0)");
    for (let i = 0; i < 4; i++) insert.run('s'.repeat(4000));
    sysop.exec("DELETE FROM wall_lines WHERE wall = 'spare'");
  } finally {
    sysop.close();
  }
}

describe('the board is full', () => {
  it('a message is NOT saved: the caller is told, sees it again, gets no number; "try again" after room is made stores it once', async () => {
    const board = cappedBoard();
    const alice = await registerAtMenu(board.harness, '10', 'alice', 'password1');
    const aliceId = board.store.findCaller('alice')?.id ?? 0;
    const onBoard = fillUp((body) => board.store.postMessage(aliceId, body, T0));

    await alice.say('1');
    await alice.say('Is {{anyone}} there?');
    await alice.say('Second line.');
    const asked = await alice.say('.');
    expect(asked?.msg).toBe('Try again? (Y/n)');
    const told = alice.transcript();
    expect(told).toContain("BBS| Your message was NOT saved: the board's disk is full.");
    expect(told).toContain('BBS| This is what you wrote, so that it is not lost:\nBBS| \nBBS| Is {{anyone}} there?\nBBS| Second line.');
    expect(told).not.toContain('on the board as number');
    expect(board.store.countMessages()).toBe(onBoard);

    // Still full: told again, still nothing stored.
    expect((await alice.say('y'))?.msg).toBe('Try again? (Y/n)');
    expect(board.store.countMessages()).toBe(onBoard);

    makeRoom(board.file);
    await alice.say('');
    expect(alice.transcript()).toContain(`BBS| Your message is on the board as number ${onBoard + 1}.`);
    expect(board.store.countMessages()).toBe(onBoard + 1);
    expect(board.store.listMessages(onBoard, 10).map((m) => [m.id, m.body])).toEqual([[onBoard + 1, 'Is {{anyone}} there?\nSecond line.']]);

    const failures = board.logs.filter((r) => r.msg === 'write not stored');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.at(-1)).toMatchObject({ level: 'error', op: 'postMessage', code: 'BBS_ERR_DB_FULL', sqlite: 'SQLITE_FULL', file: board.file });
  });

  it('mail the caller gives up on is dropped with a plain word, the text stays on screen, and the call goes on', async () => {
    const board = cappedBoard();
    await registerAtMenu(board.harness, '10', 'bob', 'password1');
    const amy = await registerAtMenu(board.harness, '11', 'amy', 'password1');
    const [amyId, bobId] = [board.store.findCaller('amy')?.id ?? 0, board.store.findCaller('bob')?.id ?? 0];
    fillUp((body) => board.store.mail.send(amyId, bobId, body, T0));
    const before = board.store.mail.count(bobId);

    await amy.say('3');
    await amy.say('bob');
    await amy.say('See you at the meeting.');
    expect((await amy.say('.'))?.msg).toBe('Try again? (Y/n)');
    const menu = await amy.say('n');
    expect(amy.transcript()).toContain("BBS| Your mail to bob was NOT saved: the board's disk is full.");
    expect(amy.transcript()).toContain('BBS| See you at the meeting.\nBBS| Try again? (Y/n)');
    expect(amy.transcript()).toContain(`YOU: n\n${shown('Not saved. What you wrote is on your screen above: copy it if you want to keep it.')}`);
    expect(amy.transcript()).not.toContain('Sent to bob');
    expect(menu?.msg).toContain('MAIN MENU');
    expect(board.store.mail.count(bobId)).toBe(before);
  });

  it('a sign-up that cannot be stored says so plainly (not the error screen) and goes back to the name prompt', async () => {
    const board = cappedBoard();
    fillUp((body, i) => board.store.createCaller(`filler${i}`, body, T0));
    const carol = board.harness.caller('12');
    await carol.dial();
    await carol.say('carol');
    await carol.say('password1');
    await carol.say('y');
    const next = await carol.say('password1');
    expect(carol.transcript()).toContain("BBS| Your sign-up was NOT saved: the board's disk is full.\nBBS| You can log in with a name you already have, or call again later.");
    expect(carol.transcript()).not.toContain('Something broke');
    expect(next?.msg).toContain("What's your name?");
    expect(carol.closed).toBe(false);
    expect(board.store.findCaller('carol')).toBeUndefined();
    expect(board.logs.find((r) => r.msg === 'write not stored')).toMatchObject({ op: 'register', code: 'BBS_ERR_DB_FULL', caller: 'carol' });
  });
});

describe.skipIf(immutableUnsupported !== undefined)('the database cannot be written (chattr +i on its -wal)', () => {
  it('the caller is told, sees the message again, and "try again" once it is writable stores it as number 1', async () => {
    const board = cappedBoard();
    const alice = await registerAtMenu(board.harness, '10', 'alice', 'password1');
    const undo = makeImmutable(`${board.file}-wal`);
    onTestFinished(undo);
    await alice.say('1');
    await alice.say('Hello?');
    expect((await alice.say('.'))?.msg).toBe('Try again? (Y/n)');
    expect(alice.transcript()).toContain('BBS| Your message was NOT saved: the board cannot write to its database just now.');
    expect(alice.transcript()).toContain('BBS| Hello?\nBBS| Try again? (Y/n)');
    expect(board.store.countMessages()).toBe(0);
    expect(board.logs.find((r) => r.msg === 'write not stored')).toMatchObject({ code: 'BBS_ERR_DB_WRITE', sqlite: expect.stringMatching(/^SQLITE_IOERR/) });

    undo();
    await alice.say('y');
    expect(alice.transcript()).toContain('BBS| Your message is on the board as number 1.');
    expect(board.store.listMessages(0, 10).map((m) => m.body)).toEqual(['Hello?']);
  });
});

describe('the database file is deleted under the board', () => {
  it('a message is refused with the reason and no retry, the log says so once loudly; logging in and reading still work', async () => {
    const board = cappedBoard();
    const alice = await registerAtMenu(board.harness, '10', 'alice', 'password1');
    await alice.say('1');
    await alice.say('First post.');
    await alice.say('.');
    rmSync(board.file);

    await alice.say('1');
    await alice.say('Lost?');
    const menu = await alice.say('.');
    expect(alice.transcript()).toContain(
      `${shown("Your message was NOT saved: the board's database file was removed or replaced, so the board takes")}\n${shown('nothing new until the sysop restarts it.')}`,
    );
    expect(alice.transcript()).toContain('BBS| Lost?\nBBS| Not saved.');
    expect(menu?.msg).toContain('MAIN MENU');
    expect(board.store.countMessages()).toBe(1);

    // Logging in counts the call, which cannot be stored: the caller still gets in and reads.
    const back = board.harness.caller('11');
    await back.dial();
    await back.say('alice');
    await back.say('password1');
    await back.say('');
    await back.say('2');
    expect(back.transcript()).toContain('This is call number 1 for you');
    expect(back.transcript()).toContain('First post.');

    const gone = board.logs.filter((r) => r.code === 'BBS_ERR_DB_GONE');
    expect(gone[0]).toMatchObject({ level: 'error', msg: 'database file gone: writes are off until restart', op: 'postMessage', file: board.file });
    expect(gone.slice(1).every((r) => r.level === 'warn')).toBe(true);
    expect(gone.map((r) => r.op)).toContain('recordCall');
  });
});
