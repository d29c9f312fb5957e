import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ChatReport } from '../bench/chat-report.js';
import { runBench } from './support/bench-run.js';
import { isRunning } from './support/process-tree.js';

describe('m2bbs bench --scenario chat (smoke run; no timing is asserted)', () => {
  it('puts a few callers on both numbers in the chat room, and every line said reaches every other caller once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-chat-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'chat.json');
    const { code, stdout, stderr } = await runBench(['--scenario', 'chat', '--callers', '6', '--duration', '4', '--think', '2000', '--sign-ups', '1', '--json', file]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    for (const label of ['lines said', 'deliveries expected', 'deliveries received', 'say to receipt', 'CPU per delivered line', 'the bench itself', 'PASSED']) expect(stdout).toContain(label);
    const report = JSON.parse(readFileSync(file, 'utf8')) as ChatReport;
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual(report);
    // Three callers dialled each number by name, and all six were in the one room to the end.
    expect(report.callers).toMatchObject({ dialled: 6, reachedMenu: 6, inRoom: 6, perNumber: { '@bbs.10': 3, '@bbs.11': 3 }, lost: 0 });
    expect(report.callers.settleSeconds).not.toBeNull();
    const d = report.deliveries;
    expect(d.said).toBeGreaterThan(0);
    expect(d.roomSize).toBe(6);
    expect(d.expected).toBe((d.said - d.refused) * 5);
    expect(d).toMatchObject({ received: d.expected, lost: 0, doubled: 0, unknownTags: 0 });
    expect(report.latencyMs.count).toBe(d.expected);
    expect(report.latencyBySliceMs.reduce((n, slice) => n + slice.count, 0)).toBe(d.expected);
    expect(report.events.chat).toBeGreaterThanOrEqual(d.expected);
    expect(report.unanswered).toBe(0);
    // Every measured line not refused was answered by its speaker's prompt.
    expect(report.sayToOwnPromptMs.count).toBe(d.said - d.refused);
    expect(report.errors.total).toBe(0);
    // The backends journal (m2bbs start --journal on): the window's lines at least are rows.
    expect(report.database.journalRowsInWindow).toBeGreaterThan(0);
    expect(report.database.bytesAtEnd).toBeGreaterThan(0);
    // Every process of the BBS was followed, the supervisor with the bus too, and all have stopped.
    expect(report.cpu.processes.map((p) => p.name).sort()).toEqual(['bbs.10', 'bbs.11', 'bench', 'proxy', 'supervisor']);
    expect(report.cpu.microsPerDelivery).not.toBeNull();
    for (const p of report.cpu.processes) if (p.name !== 'bench') expect(isRunning(p.pid), p.name).toBe(false);
    expect(report.passed).toBe(true);
  }, 180_000);
});
