/**
 * The idle scenario's memory reading after a full garbage collection (bench/settled-rss.ts): a
 * process's inspector opened, used and closed again, and the figures in the report.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LoadReport } from '../bench/report.js';
import { listening, settledMemory } from '../bench/settled-rss.js';
import { runBench } from './support/bench-run.js';
import { untilAllGone } from './support/process-tree.js';

describe('bench: memory after a full garbage collection', () => {
  it('collects a Node process through its inspector, reads its RSS and live heap and closes the inspector again', async () => {
    // Garbage the process made and dropped: a collection gives its pages back.
    const script = "let junk = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x' + i })); junk = null; process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    onTestFinished(async () => {
      child.kill('SIGKILL');
      await untilAllGone([child.pid ?? 0], 10_000);
    });
    await new Promise<void>((ready) => child.stdout.once('data', () => ready()));
    expect(await listening(9229), 'another process holds the inspector port').toBe(false);
    const memory = await settledMemory(child.pid ?? 0);
    expect(memory?.rssBytes).toBeGreaterThan(1024 * 1024);
    // The 300,000 dropped objects (some 20 MB) were collected before the heap was read.
    expect(memory?.heapUsedBytes).toBeGreaterThan(0);
    expect(memory?.heapUsedBytes).toBeLessThan(12 * 1024 * 1024);
    // Nobody else may reach the process through an inspector left open.
    expect(await listening(9229)).toBe(false);
    expect(child.exitCode).toBeNull();
  });

  it('is read in the idle scenario for every process of the BBS, before the dial-in and at the end', async () => {
    const { code, stdout, stderr } = await runBench(['--scenario', 'idle', '--callers', '12', '--duration', '1', '--baselines', 'off', '--sessions', '20']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('after a full GC');
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LoadReport;
    expect(report.callers).toMatchObject({ dialled: 12, reachedMenu: 12 });
    const proxy = report.processes.find((p) => p.name === 'proxy');
    expect(proxy?.settled?.rssBeforeBytes).toBeGreaterThan(0);
    expect(proxy?.settled?.rssBytes).toBeGreaterThan(0);
    expect(proxy?.settled?.heapGrowthPerCallerBytes).toEqual(expect.any(Number));
    expect(report.processes.filter((p) => p.settled !== undefined).map((p) => p.name).sort()).toEqual(expect.arrayContaining(['bbs.10', 'bbs.11', 'proxy']));
    expect(await listening(9229)).toBe(false);
  });
});
