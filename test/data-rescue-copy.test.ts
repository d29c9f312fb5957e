/**
 * A database file deleted under a running board: the backend's open file is then the only place
 * the board lives, so the backend saves a copy beside the old path (noticed by its own watch, not
 * only at a caller's next write, and at the latest when it stops), says where in the log, and the
 * sysop's restore from that copy brings every caller and message back. Real `m2bbs handler`
 * processes behind the real proxy, a real SQLite file, a real caller over a JSON socket.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { rescueCopiesOf } from '../db/db-files.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

let bbs: TestBbs | undefined;
let caller: JsonSocketClient | undefined;
let restarted: HandlerProcess | undefined;

afterEach(async () => {
  caller?.destroy();
  await restarted?.stop();
  await bbs?.close();
  [bbs, caller, restarted] = [undefined, undefined, undefined];
});

async function signUpAndPost(port: number, name: string, text: string): Promise<void> {
  const c = await JsonSocketClient.open(port);
  caller = c;
  await c.exchange('connect');
  await c.exchange(name);
  await c.exchange('password1');
  await c.exchange('y');
  await c.exchange('password1');
  await c.exchange('');
  await c.exchange('1');
  await c.exchange(text);
  expect((await c.exchange('.')).texts.join('\n')).toContain('Your message is on the board as number 1.');
  await c.exchange('q');
  await c.closedByServer();
}

/** Dials until a backend answers: the proxy may not have seen the restarted one connect yet. */
async function dialUntilAnswered(board: TestBbs): Promise<JsonSocketClient> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await board.proxy.whenUp();
    const c = await JsonSocketClient.open(board.frontPort);
    caller = c;
    if ((await c.exchange('connect')).texts.join('\n').includes('Welcome to the M2BBS.')) return c;
    c.destroy();
    if (Date.now() > deadline) throw new Error('Expected the restarted backend to answer within 10 s, got no answer');
  }
}

function messagesIn(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT body FROM messages ORDER BY id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('a database file deleted under a running board', () => {
  it('a quiet backend notices by itself, saves a 0600 copy holding the board and names it in one error line', async () => {
    bbs = await startTestBbs();
    await signUpAndPost(bbs.frontPort, 'bob', 'Keep me safe');
    rmSync(bbs.dbFile);

    // Nobody writes: the backend's own watch must notice.
    const loud = await bbs.handlers[0]!.waitForLog((r) => r.code === 'BBS_ERR_DB_GONE');
    expect(loud).toMatchObject({ level: 'error', msg: 'database file gone: writes are off until restart', file: bbs.dbFile });
    const copy = /is saved in (\S+): to keep it/.exec(String(loud.error))?.[1];
    expect(copy).toBeDefined();
    expect(rescueCopiesOf(bbs.dbFile)).toEqual([copy]);
    expect(statSync(copy!).mode & 0o777).toBe(0o600);
    expect(messagesIn(copy!)).toEqual(['Keep me safe']);
    // The old file's journal is out of the way of whatever file is put at the path next.
    expect(existsSync(`${bbs.dbFile}-wal`)).toBe(false);
    expect(String(loud.error)).toMatch(/is moved aside: \S+-wal-old-\S+ and \S+-shm-old-\S+\./);
    expect(String(loud.error)).toContain(`to keep it, stop the BBS, move the copy to ${bbs.dbFile}`);
  });

  it('replaced by another board (mv): a restarted backend serves that board, not the old one laid over it by its -wal', async () => {
    bbs = await startTestBbs();
    await signUpAndPost(bbs.frontPort, 'dora', 'From the board that was replaced');
    // Another board, made apart, moved over the path as a restore would be.
    const other = `${bbs.dbFile}.other`;
    const made = new Database(other);
    made.exec("CREATE TABLE note (body TEXT); INSERT INTO note VALUES ('the other board')");
    made.close();
    renameSync(other, bbs.dbFile);

    const handler = bbs.handlers[0]!;
    const link = bbs.proxy.backends[0]!;
    await handler.waitForLog((r) => r.code === 'BBS_ERR_DB_GONE');
    expect(await handler.stop()).toBe(0);

    restarted = HandlerProcess.start(['--name', link.number, '--send-spec', link.sendSpec, '--recv-spec', link.recvSpec, '--db', bbs.dbFile], { db: false });
    await restarted.ready();
    const c = await dialUntilAnswered(bbs);
    await c.exchange('dora');
    // The board at the path has no dora: she is offered a sign-up, not logged in to the old board.
    expect((await c.exchange('password1')).prompt?.msg).toContain("There's no caller named dora here yet.");
    c.destroy();
    const db = new Database(bbs.dbFile, { readonly: true });
    try {
      expect(db.prepare('SELECT body FROM note').pluck().all()).toEqual(['the other board']);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    expect(messagesIn(rescueCopiesOf(bbs.dbFile)[0]!)).toEqual(['From the board that was replaced']);
  });

  it('deleted and stopped at once: the stop saves the copy, and restoring it as the log says brings the board back', async () => {
    bbs = await startTestBbs();
    await signUpAndPost(bbs.frontPort, 'carol', 'Still here after the restore');
    const handler = bbs.handlers[0]!;
    const link = bbs.proxy.backends[0]!;
    rmSync(bbs.dbFile);
    expect(await handler.stop()).toBe(0);

    const [copy] = rescueCopiesOf(bbs.dbFile);
    expect(copy).toBeDefined();
    // The restore the message asks for: the old -wal and -shm go, the copy takes the path.
    rmSync(`${bbs.dbFile}-wal`, { force: true });
    rmSync(`${bbs.dbFile}-shm`, { force: true });
    renameSync(copy!, bbs.dbFile);
    expect(existsSync(bbs.dbFile)).toBe(true);

    restarted = HandlerProcess.start(['--name', link.number, '--send-spec', link.sendSpec, '--recv-spec', link.recvSpec, '--db', bbs.dbFile], { db: false });
    await restarted.ready();
    const c = await dialUntilAnswered(bbs);
    await c.exchange('carol');
    const motd = await c.exchange('password1');
    expect(motd.prompt?.msg).toContain('Messages on the board: 1.');
    await c.exchange('');
    const read = await c.exchange('2');
    expect(read.texts.join('\n')).toContain('Still here after the restore');
    await c.exchange('');
    await c.exchange('1');
    await c.exchange('One more');
    expect((await c.exchange('.')).texts.join('\n')).toContain('Your message is on the board as number 2.');
  });
});
