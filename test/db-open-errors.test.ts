/**
 * A database path m2bbs cannot use (its folder is a file, say) is one plain line naming the file
 * and how to choose another, from the store, from `m2bbs handler` run by hand and from
 * `m2bbs start` before its banner; never a stack trace. Real files, real processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { openDatabase } from '../db/open-database.js';
import { HandlerProcess } from './support/handler-process.js';

function fileAsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-dbopen-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'data'), 'a file, not a folder');
  return join(dir, 'data', 'bbs.db');
}

describe('a database path that cannot be used', () => {
  it('is refused with BBS_ERR_DB_OPEN, naming the file and the way to choose another', () => {
    const file = fileAsFolder();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(isBbsError(caught, 'BBS_ERR_DB_OPEN')).toBe(true);
    expect((caught as Error).message).toMatch(new RegExp(`^m2bbs: cannot open the database ${file}: ENOTDIR: .*\\. Choose another with --db FILE or M2BBS_DB\\.$`));
  });

  it('m2bbs handler by hand: one line and exit 1, no stack trace', async () => {
    const file = fileAsFolder();
    const handler = HandlerProcess.start(['--db', file, '--send-spec', 'tcp://127.0.0.1:9', '--recv-spec', 'tcp://127.0.0.1:10'], { db: false, channel: false });
    try {
      expect(await handler.exited).toBe(1);
      expect(handler.stderrText.trim().split('\n')).toEqual([expect.stringContaining(`m2bbs: cannot open the database ${file}: ENOTDIR`)]);
    } finally {
      await handler.stop();
    }
  });

  it('m2bbs start: that line before the banner, and exit 1', async () => {
    const file = fileAsFolder();
    const start = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', file, '--backends', '1', '--log-level', 'silent']);
    try {
      expect(await start.exited).toBe(1);
      expect(start.stderrText).toContain(`m2bbs: cannot open the database ${file}: ENOTDIR`);
      expect(start.stdoutText).not.toContain('m2bbs is up');
    } finally {
      await start.stop();
    }
  });
});
