/**
 * `m2bbs sysop`'s command line (issue 18): what a sysop who mistypes sees. Each mistake is one
 * clear message and exit code 2 (usage) or 1 (no board there), never a stack trace; a mistyped
 * --db never makes an empty board.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { m2bbs } from './support/running-bbs.js';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('m2bbs sysop', () => {
  it('lists its commands with --help, exit 0', async () => {
    const run = await m2bbs(['sysop', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: m2bbs sysop [flags] COMMAND [ARGS...]');
    expect(run.stdout).toContain('replay CALL|CONN|NAME');
  });

  it.each([
    [[], 'which command? e.g. m2bbs sysop who'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['replay'], 'replay takes CALL|CONN|NAME'],
    [['replay', 'a', 'b'], 'replay takes CALL|CONN|NAME'],
    [['replay', 'zoe', '--reason', 'x'], 'replay does not take --reason'],
    [['replay', 'zoe', '--posts', 'maybe'], '--posts'],
  ])('says what is wrong with %j in one message, exit 2', async (args, said) => {
    const run = await m2bbs(['sysop', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(said);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('with --json, says a failure on stdout as JSON too, with the same exit code', async () => {
    const run = await m2bbs(['sysop', '--json', 'frobnicate']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, code: 'BBS_ERR_CONFIG', error: expect.stringContaining('unknown command "frobnicate"') });
    expect(run.stderr).toContain('unknown command "frobnicate"');
  });

  it('refuses a database that is not there, exit 1, and makes none', async () => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-sysop-cli-'));
    const db = join(dir, 'typo.db');
    const run = await m2bbs(['sysop', '--db', db, 'replay', 'zoe']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no board at ${db}`);
    expect(existsSync(db)).toBe(false);
  });
});

describe('m2bbs sysop, given text a terminal would act on', () => {
  it('quotes it written out in its messages, and refuses another program\'s SQLite file without touching it', async () => {
    const typed = await m2bbs(['sysop', '\u001b]52;c;eA==\u0007\u009b31m']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain('\\u001b]52;c;eA==\\u0007\\u009b31m');
    expect(typed.stderr).not.toMatch(/[\u001b\u0007\u009b]/);

    dir = mkdtempSync(join(tmpdir(), 'm2bbs-sysop-cli-'));
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    const run = await m2bbs(['sysop', '--db', other, 'users']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is an SQLite database but not an m2bbs board');
    const after = new Database(other, { readonly: true });
    try {
      expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['notes']);
    } finally {
      after.close();
    }
    expect(existsSync(`${other}-created`)).toBe(false);
  });
});
