import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseBenchConfig } from '../bench/config.js';
import type { UpgradeReport } from '../bench/upgrade-report.js';
import { runBench } from './support/bench-run.js';
import { mongrel2TestsRun } from './support/real-mongrel2.js';

const withMongrel2 = mongrel2TestsRun('the bench upgrade smoke run behind a real Mongrel2 is');

describe('m2bbs bench --scenario upgrade (smoke run; no timing is asserted)', () => {
  it('has 200 callers by default, takes the shared-send_spec handler counts as a list, and refuses a --target', () => {
    expect(parseBenchConfig(['--scenario', 'upgrade'])).toMatchObject({ callers: 200, backends: 2, trigger: 'sighup', sharedHandlers: [1, 2, 4], sharedCallers: 50 });
    expect(parseBenchConfig(['--scenario', 'upgrade', '--shared-handlers', 'none', '--trigger', 'command'])).toMatchObject({ sharedHandlers: [], trigger: 'command' });
    expect(() => parseBenchConfig(['--scenario', 'upgrade', '--shared-handlers', '1,0,x'])).toThrow('--shared-handlers: expected handler counts from 1 to 16');
    expect(() => parseBenchConfig(['--scenario', 'upgrade', '--trigger', 'kill'])).toThrow('--trigger');
    expect(() => parseBenchConfig(['--scenario', 'upgrade', '--target', '127.0.0.1:6767'])).toThrow('--scenario upgrade upgrades the backends of a BBS it starts');
  });

  it('upgrades both backends under a few callers: nobody dropped, nothing lost or doubled, callers moved; then one and two handlers on one real Mongrel2 send_spec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-upgrade-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'upgrade.json');
    const shared = withMongrel2 ? '1,2' : 'none';
    const args = ['--scenario', 'upgrade', '--callers', '6', '--sign-ups', '1', '--think', '50', '--shared-handlers', shared, '--shared-callers', '3', '--duration', '2', '--json', file];
    const { code, stdout, stderr } = await runBench(args);
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    for (const label of ['upgrade', 'callers dropped', 'inputs lost', 'inputs answered twice', 'lost writes', 'doubled writes', 'round trip, input moved', 'round trip, others meanwhile', 'round trip, before the upgrade', 'PASSED']) expect(stdout).toContain(label);
    const report = JSON.parse(readFileSync(file, 'utf8')) as UpgradeReport;
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual(report);
    const { rolling } = report;
    expect(rolling.upgrade.done).toBe(true);
    expect(rolling.upgrade.backends.map((b) => b.backend).sort()).toEqual(['bbs.10', 'bbs.11']);
    for (const b of rolling.upgrade.backends) expect(Object.keys(b).sort()).toEqual(['at', 'backend', 'left', 'moved', 'ms']);
    expect(rolling.callers).toMatchObject({ dialled: 6, reachedMenu: 6, dropped: 0 });
    // Both backends were replaced, so everyone was on a backend that drained.
    expect(rolling.callers.callersMoved).toBeGreaterThan(0);
    expect(rolling.inputs).toMatchObject({ unanswered: 0, answeredTwice: 0 });
    expect(rolling.inputs.answered).toBeGreaterThan(0);
    expect(rolling.writes).toMatchObject({ lost: 0, doubled: 0 });
    expect(rolling.writes.stored).toBe(rolling.writes.finished);
    for (const summary of [rolling.movedRoundTripMs, rolling.otherRoundTripMs, rolling.beforeRoundTripMs]) expect(Object.keys(summary).sort()).toEqual(['count', 'max', 'mean', 'p50', 'p99']);
    expect(report.passed).toBe(true);

    if (!withMongrel2) return;
    expect(report.shared.map((s) => s.handlers)).toEqual([1, 2]);
    for (const s of report.shared) {
      expect(s).toMatchObject({ callers: 3, reachedMenu: 3, dropped: 0, unexpectedAnswers: 0 });
      expect(s.writes).toMatchObject({ lost: 0, doubled: 0 });
      expect(s.windowInputs).toBeGreaterThan(0);
      expect(typeof s.inputsPerSecond).toBe('number');
      expect(typeof s.takeoversPerInput).toBe('number');
      expect(s).toHaveProperty('handlerCpuMicrosPerInput');
    }
    // One handler holds every conversation; two take each other's over as Mongrel2 deals the lines.
    expect(report.shared[0]?.windowTakeovers).toBe(0);
    expect(report.shared[1]?.takeovers).toBeGreaterThan(0);
  }, 240_000);
});
