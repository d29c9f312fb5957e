/**
 * `m2bbs sysop`'s command line (issue 18): what a sysop who mistypes sees. Each mistake is one
 * clear message and exit code 2 (usage) or 1 (no board there), never a stack trace; a mistyped
 * --db never makes an empty board.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('refuses a database that is not there, exit 1, and makes none', async () => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-sysop-cli-'));
    const db = join(dir, 'typo.db');
    const run = await m2bbs(['sysop', '--db', db, 'replay', 'zoe']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no board at ${db}`);
    expect(existsSync(db)).toBe(false);
  });
});
