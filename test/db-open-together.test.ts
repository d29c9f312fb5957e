import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MIGRATIONS } from '../db/migrations.js';

const support = (name: string): string => fileURLToPath(new URL(`./support/${name}`, import.meta.url));

/** A helper process that prints lines; `said(text)` resolves once it has printed that line. */
function helper(script: string, file: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', support(script), file], { stdio: ['pipe', 'pipe', 'inherit'] });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    lines,
    exited,
    tell: () => child.stdin.end('go\n'),
    async said(pattern: RegExp): Promise<string> {
      for (;;) {
        const line = lines.find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (child.exitCode !== null) throw new Error(`${script} exited without saying ${pattern}; it said ${JSON.stringify(lines)}`);
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), exited]);
      }
    },
  };
}

describe('backends starting together on one new database file', () => {
  it('one opens the file while another holds its write lock to switch it to WAL: it waits, then opens it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-open-together-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'data'));
    const file = join(dir, 'data', 'bbs.db');

    const holder = helper('hold-write-lock.ts', file);
    await holder.said(/^holding$/);
    const opener = helper('open-database-on-go.ts', file);
    await opener.said(/^ready$/);
    opener.tell();
    await opener.said(/^opening$/);
    // SQLite answers this case SQLITE_BUSY at once, without its busy handler: the opener must wait.
    holder.tell();
    await holder.said(/^released$/);
    expect(await opener.said(/^(opened|failed)/)).toBe('opened');

    const db = new Database(file, { readonly: true });
    onTestFinished(() => void db.close());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });
});
