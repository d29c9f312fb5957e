import { describe, expect, it } from 'vitest';
import type { VsReport } from '../bench/vs-mongrel2-bench.js';
import { runBench } from './support/bench-run.js';
import { isRunning } from './support/process-tree.js';
import { mongrel2TestsRun } from './support/real-mongrel2.js';

const available = mongrel2TestsRun('the vs-mongrel2 bench smoke run');

describe.runIf(available)('m2bbs bench --scenario vs-mongrel2 (smoke run; no timing is asserted)', () => {
  it('puts the echo handler and an m2bbs backend behind real Mongrel2 and the proxy, prints both sides and their ratio, and stops them all', async () => {
    const args = ['--scenario', 'vs-mongrel2', '--callers', '4', '--rounds', '2', '--duration', '1', '--idle-connections', '20', '--backends', '2'];
    const { code, stdout, stderr } = await runBench(args);
    expect(code, stderr).toBe(0);

    expect(stdout).toContain('Behind both: the echo handler');
    expect(stdout).toContain('Behind both: 2 m2bbs backends on one database');
    expect(stdout).toMatch(/figure\s+Mongrel2\s+m2bbs proxy\s+m2bbs \/ Mongrel2/);
    expect(stdout).toMatch(/inputs\/s answered\s+[\d,]+( to [\d,]+)?\s+[\d,]+( to [\d,]+)?\s+\d+\.\d\d/);
    expect(stdout).toContain('RSS per idle connection (20)');
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as VsReport;
    expect(report.passed).toBe(true);
    expect(report.parts.map((p) => [p.handler, p.backends])).toEqual([['echo', 1], ['bbs', 2]]);
    // Mongrel2, the echo handler, the proxy and the echo handler; Mongrel2, 2 backends, the proxy and 2 backends.
    expect(report.parts.map((p) => p.pids.length)).toEqual([4, 6]);
    for (const part of report.parts) {
      expect(part.rounds).toHaveLength(2);
      for (const round of part.rounds) {
        for (const side of [round.mongrel2, round.m2bbs]) {
          expect(side.perSecond).toBeGreaterThan(0);
          expect(side.errors).toBe(0);
          expect(side.serverCpuMicros).not.toBeNull();
        }
      }
      expect(part.memory.map((m) => m.rssNoCallerBytes ?? 0).every((rss) => rss > 0)).toBe(true);
      // Both servers and both handlers are gone before the report is printed (Mongrel2 by its pid file).
      expect(part.pids.filter((pid) => pid > 0 && isRunning(pid))).toEqual([]);
    }
    expect(report.parts[0]?.memory.every((m) => m.connections === 20 && (m.rssPerConnectionBytes ?? -1) !== -1)).toBe(true);
  }, 120_000);
});
