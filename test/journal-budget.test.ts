/**
 * The journals kept within their budget (--journal-keep-size): past it, the conversations that
 * ended longest ago are deleted first, whatever their age; open calls are never touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { keepJournalsTidy } from '../handler/journal-retention.js';
import { DEFAULT_LINE_LIMITS } from '../handler/line-limits.js';

const T0 = Date.UTC(2026, 11, 7, 6, 0);

describe('the journals over their budget', () => {
  it('lose the calls that ended longest ago first, however young, until within it; an open call keeps its journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-journal-budget-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const db = openDatabase(join(dir, 'bbs.db'));
    const store = createStore(db);
    onTestFinished(() => store.close());
    const addConversation = db.prepare('INSERT INTO conversations (id, epoch, owner, code, conn, remote, last_seq, last_part, opened_at, heard_at, closed_at) VALUES (?, 1, ?, ?, 0, NULL, 0, -1, ?, ?, ?)');
    const addRow = db.prepare('INSERT INTO journal (conversation, n, prev, kind, print, seq, value) VALUES (?, ?, ?, ?, ?, NULL, ?)');
    const setLast = db.prepare('UPDATE conversations SET last_row = ?, next_n = ? WHERE id = ?');
    // 60 calls that ended a minute apart (an hour ago at most), each 100 rows of 2 KB: about 12 MB; and one still open.
    const line = JSON.stringify('x'.repeat(2000));
    const fill = db.transaction((id: string, closedAt: number | null) => {
      addConversation.run(id, 'A', 'v1', T0 - 3_600_000, closedAt ?? T0, closedAt);
      let prev: number | null = null;
      for (let n = 0; n < 100; n++) prev = Number(addRow.run(id, n, prev, 'line', 'ask:name:> ', line).lastInsertRowid);
      setLast.run(prev, 100, id);
    });
    for (let i = 0; i < 60; i++) fill(`call-${String(i).padStart(2, '0')}`, T0 - 3_600_000 + i * 60_000);
    fill('open-call', null);
    const journalBytes = store.journal.journalBytes();
    expect(journalBytes).toBeGreaterThan(12 * 1024 * 1024);

    const keep = 4 * 1024 * 1024;
    const lines: string[] = [];
    const log = createLogger('info', { write: (text: string) => lines.push(text) });
    const tidier = keepJournalsTidy(store.journal, DEFAULT_LINE_LIMITS, log, () => T0, keep);
    tidier.stop();

    const left = db.prepare('SELECT id FROM conversations ORDER BY id').pluck().all() as string[];
    // Within the budget (the pages freed are reused, so the file keeps its size).
    expect(store.journal.journalBytes()).toBeLessThanOrEqual(keep + 1024 * 1024);
    expect(left).toContain('open-call');
    expect(db.prepare("SELECT count(*) FROM journal WHERE conversation = 'open-call'").pluck().get()).toBe(100);
    // What is left is the newest: every call gone ended before every call kept.
    const kept = left.filter((id) => id !== 'open-call');
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(60);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `call-${String(60 - kept.length + i).padStart(2, '0')}`));
    expect(db.prepare('SELECT count(*) FROM journal WHERE conversation NOT IN (SELECT id FROM conversations)').pluck().get()).toBe(0);
    expect(lines.some((text) => text.includes('journals over their budget'))).toBe(true);
  });
});
