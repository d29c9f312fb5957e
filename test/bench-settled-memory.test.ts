/**
 * The idle scenario's memory reading after a full garbage collection (bench/settled-memory.ts): a
 * process's inspector opened, used and closed again, and the figures in the report.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LoadReport } from '../bench/report.js';
import { hasGdb } from '../bench/malloc-trim.js';
import { listening, settledMemory } from '../bench/settled-memory.js';
import { runBench } from './support/bench-run.js';
import { untilAllGone } from './support/process-tree.js';

const haveGdb = hasGdb();
if (!haveGdb && process.env.M2BBS_REQUIRE_GDB) throw new Error('gdb is required here: apt-get install gdb');

/** A Node process running `script`, once it has written its first line; killed when the test ends. */
async function startedNode(script: string): Promise<ChildProcessByStdio<null, Readable, null>> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  onTestFinished(async () => {
    child.kill('SIGKILL');
    await untilAllGone([child.pid ?? 0], 10_000);
  });
  await new Promise<void>((ready) => child.stdout.once('data', () => ready()));
  expect(await listening(9229), 'another process holds the inspector port').toBe(false);
  return child;
}

describe('bench: memory after a full garbage collection', () => {
  it('collects a Node process through its inspector, reads its RSS and live heap and closes the inspector again', async () => {
    // Garbage the process made and dropped: a collection gives its pages back.
    const script = "let junk = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x' + i })); junk = null; process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
    const child = await startedNode(script);
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

  it.runIf(haveGdb)('with --malloc-trim, reads a process after malloc gave back the free memory it kept', async () => {
    // 50,000 blocks of 4 KiB, each malloc'd on its own, every 16th kept: the rest, freed, sits between
    // live blocks where free() cannot give it back, until malloc_trim does.
    const script = "let blocks = Array.from({ length: 50000 }, () => Buffer.allocUnsafeSlow(4096).fill(1)); const kept = blocks.filter((_, i) => i % 16 === 0); blocks = null; process.stdout.write('ready ' + kept.length + '\\n'); setInterval(() => {}, 1000);";
    const child = await startedNode(script);
    const collected = await settledMemory(child.pid ?? 0);
    const trimmed = await settledMemory(child.pid ?? 0, true);
    expect(collected?.rssBytes).toBeGreaterThan(150 * 1024 * 1024);
    expect(trimmed?.rssBytes).toBeLessThan((collected?.rssBytes ?? 0) - 100 * 1024 * 1024);
    expect(await listening(9229)).toBe(false);
    expect(child.exitCode).toBeNull();

    const { code, stdout, stderr } = await runBench(['--scenario', 'idle', '--callers', '12', '--duration', '1', '--baselines', 'off', '--sessions', '20', '--malloc-trim']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('GC + malloc_trim');
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LoadReport;
    expect(report.processes.find((p) => p.name === 'proxy')?.settled?.rssBytes).toBeGreaterThan(0);
    // Two settled readings of each process of a BBS, each a gdb attach: 9 s alone, over 20 s on a
    // machine busy with other runs.
  }, 60_000);

  it('with --malloc-trim that gdb cannot make, says why and still closes the inspector', async () => {
    const child = await startedNode("process.stdout.write('ready\\n'); setInterval(() => {}, 1000);");
    // gdb as it answers where it may not attach (ptrace_scope, a container without CAP_SYS_PTRACE).
    const bin = mkdtempSync(join(tmpdir(), 'm2bbs-gdb-'));
    onTestFinished(() => rmSync(bin, { recursive: true, force: true }));
    writeFileSync(join(bin, 'gdb'), '#!/bin/sh\necho "ptrace: Operation not permitted." >&2\nexit 1\n', { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    onTestFinished(() => {
      process.env.PATH = path;
    });
    await expect(settledMemory(child.pid ?? 0, true)).rejects.toThrow(`--malloc-trim: gdb could not call malloc_trim in process ${child.pid}: ptrace: Operation not permitted.`);
    expect(await listening(9229)).toBe(false);
  });

  it('refuses --malloc-trim without the settled reading, with a message saying what to add', async () => {
    const { code, stderr } = await runBench(['--scenario', 'throughput', '--malloc-trim']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--malloc-trim goes with the settled reading: add --settle');
  });
});
