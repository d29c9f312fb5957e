/**
 * End to end through the real proxy and a real `m2bbs handler` process over ZeroMQ, on a real
 * SQLite file: a board at its --db-max-size tells a caller their message was NOT saved, shows it
 * back, hands out no number, and stores it once when they try again after room was made; a
 * database deleted under a running backend stops writes, and a restart refuses an empty board.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const MIB = 1024 * 1024;
let bbs: TestBbs | undefined;
let caller: JsonSocketClient | undefined;
let sysop: Database.Database | undefined;
let restarted: HandlerProcess | undefined;

afterEach(async () => {
  caller?.destroy();
  sysop?.close();
  await restarted?.stop();
  await bbs?.close();
  [bbs, caller, sysop, restarted] = [undefined, undefined, undefined, undefined];
});

async function signUp(port: number, name: string): Promise<JsonSocketClient> {
  const c = await JsonSocketClient.open(port);
  expect((await c.exchange('connect')).texts.join('\n')).toContain('Welcome to the M2BBS.');
  await c.exchange(name);
  await c.exchange('password1');
  await c.exchange('y');
  await c.exchange('password1');
  expect((await c.exchange('')).prompt?.msg).toContain('MAIN MENU');
  return c;
}

/** Inserts with shrinking sizes until SQLite answers SQLITE_FULL even for one more byte. */
function fillUp(insert: (body: string) => void): number {
  let stored = 0;
  for (const size of [4000, 400, 40, 1]) {
    for (;;) {
      try {
        insert('f'.repeat(size));
        stored += 1;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'SQLITE_FULL') throw err;
        break;
      }
    }
  }
  return stored;
}

describe('a board at its size limit (--db-max-size, as a full disk)', () => {
  it('the caller is told their message was NOT saved and sees it again; no number is handed out; "try again" after room is made stores it once', async () => {
    bbs = await startTestBbs({ handlerArgs: ['--db-max-size', '1'] });
    caller = await signUp(bbs.frontPort, 'alice');

    // The test fills the board from its own connection, capped as the backend is (1 MiB).
    sysop = new Database(bbs.dbFile);
    sysop.pragma(`max_page_count = ${MIB / (sysop.pragma('page_size', { simple: true }) as number)}`);
    const aliceId = sysop.prepare<[], number>("SELECT id FROM callers WHERE name = 'alice'").pluck().get() ?? 0;
    fillUp((body) => sysop?.prepare("INSERT INTO wall_lines (wall, author_id, body, created_at) VALUES ('spare', ?, ?, 0)").run(aliceId, body));
    const onBoard = fillUp((body) => sysop?.prepare('INSERT INTO messages (author_id, body, created_at) VALUES (?, ?, 0)').run(aliceId, body));
    const count = (): number => sysop?.prepare<[], number>('SELECT count(*) FROM messages').pluck().get() ?? -1;
    expect(count()).toBe(onBoard);

    await caller.exchange('1');
    await caller.exchange('Anyone out there?');
    const refused = await caller.exchange('.');
    expect(refused.texts).toEqual([
      "Your message was NOT saved: the board's disk is full.",
      'This is what you wrote, so that it is not lost:\n\nAnyone out there?',
      'Try again? (Y/n)',
    ]);
    expect(count()).toBe(onBoard);

    sysop.exec("DELETE FROM wall_lines WHERE wall = 'spare'");
    const stored = await caller.exchange('y');
    expect(stored.texts[0]).toBe(`Your message is on the board as number ${onBoard + 1}.`);
    expect(stored.prompt?.msg).toContain('MAIN MENU');
    expect(count()).toBe(onBoard + 1);
    expect(sysop.prepare('SELECT id FROM messages WHERE body = ?').pluck().all('Anyone out there?')).toEqual([onBoard + 1]);

    const logged = await bbs.handlers[0]?.waitForLog((r) => r.msg === 'write not stored');
    expect(logged).toMatchObject({ level: 'error', op: 'postMessage', code: 'BBS_ERR_DB_FULL', sqlite: 'SQLITE_FULL', file: bbs.dbFile });
  });
});

describe('a database deleted under a running backend', () => {
  it('writes stop with a plain word to the caller and a loud log line; a restart refuses to start an empty board', async () => {
    bbs = await startTestBbs();
    caller = await signUp(bbs.frontPort, 'bob');
    rmSync(bbs.dbFile);

    await caller.exchange('1');
    await caller.exchange('Still here?');
    const refused = await caller.exchange('.');
    expect(refused.texts[0]).toContain("Your message was NOT saved: the board's database file was removed or replaced");
    expect(refused.texts[1]).toContain('Still here?');
    expect(refused.texts.join('\n')).not.toContain('on the board as number');
    expect(refused.prompt?.msg).toContain('MAIN MENU');
    const loud = await bbs.handlers[0]?.waitForLog((r) => r.code === 'BBS_ERR_DB_GONE');
    expect(loud).toMatchObject({ level: 'error', msg: 'database file gone: writes are off until restart', file: bbs.dbFile });

    restarted = HandlerProcess.start(['--db', bbs.dbFile, '--send-spec', 'tcp://127.0.0.1:9', '--recv-spec', 'tcp://127.0.0.1:10'], { db: false, channel: false });
    expect(await restarted.exited).toBe(1);
    expect(restarted.stderrText).toContain(`the database ${bbs.dbFile} is missing, but ${bbs.dbFile}-created`);
    expect(restarted.stderrText).toContain('not starting an empty one in its place');
  });
});
