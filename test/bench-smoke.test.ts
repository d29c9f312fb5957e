import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseBenchConfig } from '../bench/config.js';
import type { FailoverReport } from '../bench/failover-report.js';
import type { NonReadingReport } from '../bench/non-reading-report.js';
import type { ReplayReport } from '../bench/replay-cost.js';
import type { LoadReport } from '../bench/report.js';
import { runBench } from './support/bench-run.js';
import { startTestBbs } from './support/test-bbs.js';

describe('m2bbs bench (smoke run; no timing is asserted)', () => {
  it('starts a BBS, runs a few callers through every door, and writes the table and the JSON report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-smoke-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'runs', 'report.json');
    const args = ['--callers', '6', '--door', 'mixed', '--think', '100', '--duration', '2', '--sign-ups', '1', '--baseline-seconds', '1', '--json', file];
    const { code, stdout, stderr } = await runBench(args);
    expect(code, stderr).toBe(0);

    expect(stdout).toContain('inputs answered');
    expect(stdout).toContain('round trip');
    expect(stdout).toContain('baseline: raw ZeroMQ');
    expect(stdout).toContain('baseline: backend alone');
    const report = JSON.parse(readFileSync(file, 'utf8')) as LoadReport;
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual(report);
    expect(report.callers).toMatchObject({ dialled: 6, reachedMenu: 6, endedEarly: 0 });
    expect(report.errors.total).toBe(0);
    expect(report.signUpMs.count).toBe(1);
    expect(report.loginMs.count).toBe(5);
    expect(report.window.answered).toBeGreaterThan(0);
    expect(report.roundTripMs.count).toBeGreaterThan(0);
    expect(report.processes.map((p) => p.name).sort()).toEqual(['bbs.10', 'bbs.11', 'bench', 'proxy', 'supervisor']);
    for (const p of report.processes) expect(p.rssBytes).toBeGreaterThan(0);
    expect(stdout).toContain('CPU per input answered');
    expect(report.window.cpuMicrosPerInput).not.toBeNull();
    expect(report.baselines.zmq?.oneInFlight.count).toBeGreaterThan(0);
    expect(report.baselines.zmq?.cpuMicrosPerRoundTrip).toBeGreaterThan(0);
    expect(report.baselines.backendAlone?.inputsPerSecond).toBeGreaterThan(0);
    expect(report.baselines.scryptHashMs).toBeGreaterThan(0);
  }, 120_000);

  it('runs callers who stop reading beside one who reads, and reports the proxy memory, the closed lines and the reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-smoke-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'non-reading.json');
    // Two non-readers (json, telnet) and the reader (websocket): every door once.
    const args = ['--scenario', 'non-reading', '--callers', '2', '--door', 'mixed', '--duration', '2', '--think', '100', '--max-output-bytes', '65536', '--json', file];
    const { code, stdout, stderr } = await runBench(args);
    expect(code, stderr).toBe(0);

    for (const label of ['non-reading callers', 'closed by the proxy', 'proxy RSS before', 'proxy RSS peak', 'growth per non-reader', 'its round trip']) expect(stdout).toContain(label);
    const report = JSON.parse(readFileSync(file, 'utf8')) as NonReadingReport;
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual(report);
    expect(report.settings).toMatchObject({ door: 'mixed', nonReaders: 2, readers: 1, maxOutputBytes: 65536 });
    expect(report.nonReaders).toMatchObject({ dialled: 2, stoppedReading: 2 });
    expect(report.nonReaders.linesTyped).toBeGreaterThan(0);
    expect(report.nonReaders.closedAfterSeconds).toHaveLength(report.nonReaders.closedByServer);
    expect(report.nonReaders.onLineAtEnd + report.nonReaders.closedByServer).toBe(2);
    expect(report.proxy.rssBeforeBytes).toBeGreaterThan(0);
    expect(report.proxy.rssPeakBytes).toBeGreaterThanOrEqual(report.proxy.rssBeforeBytes ?? 0);
    expect(report.proxy.rssAtEndBytes).toBeGreaterThan(0);
    expect(report.proxy.rssAfterHangUpBytes).toBeGreaterThan(0);
    expect(report.proxy.growthPerNonReaderBytes).not.toBeNull();
    expect(report.proxy.rssEvery5sBytes.length).toBeGreaterThan(0);
    expect(report.reader).toMatchObject({ reachedMenu: true, endedEarly: false });
    expect(report.reader.answered).toBeGreaterThan(0);
    expect(report.reader.roundTripMs.count).toBeGreaterThan(0);
    expect(report.errors.total).toBe(0);
  }, 120_000);

  it('kills backends under callers who post and mail, and reports no session lost and no write lost or doubled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-smoke-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'failover.json');
    const { code, stdout, stderr } = await runBench(['--scenario', 'failover', '--callers', '5', '--kills', '3', '--sign-ups', '1', '--json', file]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    for (const label of ['kills (SIGKILL)', 'lost sessions', 'lost writes', 'doubled writes', 'kill to next prompt', 'PASSED: nothing lost, nothing doubled']) expect(stdout).toContain(label);
    const report = JSON.parse(readFileSync(file, 'utf8')) as FailoverReport;
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual(report);
    expect(report.kills).toMatchObject({ made: 3, asked: 3 });
    expect(report.callers).toMatchObject({ dialled: 5, reachedMenu: 5, lost: 0, unanswered: 0 });
    // Every kill hits the callers of one backend; each of them is told their line moved.
    expect(report.callers.moveNotices).toBeGreaterThan(0);
    expect(report.writes).toMatchObject({ lost: 0, doubled: 0 });
    expect(report.writes.finished).toBeGreaterThan(0);
    expect(report.writes.stored).toBe(report.writes.finished);
    expect(report.passed).toBe(true);
  }, 120_000);

  it('says a failover run failed, with exit 1, when backends journal nothing and their callers lose the line', async () => {
    const { code, stdout } = await runBench(['--scenario', 'failover', '--callers', '4', '--kills', '1', '--sign-ups', '0', '--journal', 'off']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/lost sessions\s+[1-4]: NO CARRIER: the line to @bbs\.1[01] dropped\./);
    expect(stdout).toContain('FAILED: something was lost or doubled');
  }, 120_000);

  it('takes the proxy cap from --max-output-bytes or M2BBS_MAX_OUTPUT_BYTES, and refuses the flag with --target', () => {
    expect(parseBenchConfig(['--scenario', 'non-reading'])).toMatchObject({ callers: 10, thinkMs: 50, durationSeconds: 40, maxOutputBytes: undefined });
    expect(parseBenchConfig(['--scenario', 'non-reading'], { M2BBS_MAX_OUTPUT_BYTES: '1073741824' }).maxOutputBytes).toBe(1073741824);
    expect(parseBenchConfig(['--max-output-bytes', '65536'], { M2BBS_MAX_OUTPUT_BYTES: '1073741824' }).maxOutputBytes).toBe(65536);
    expect(() => parseBenchConfig(['--max-output-bytes', '100'])).toThrow('--max-output-bytes');
    expect(() => parseBenchConfig(['--target', '127.0.0.1:6767', '--max-output-bytes', '65536'])).toThrow('--max-output-bytes sets the proxy of a BBS the bench starts, not a --target');
    expect(() => parseBenchConfig(['--scenario', 'non-reading', '--target', '127.0.0.1:6767'])).toThrow('--scenario non-reading follows the proxy of a BBS it starts');
    expect(() => parseBenchConfig(['--scenario', 'failover', '--target', '127.0.0.1:6767'])).toThrow('--scenario failover kills the backends of a BBS it starts');
    expect(() => parseBenchConfig(['--target', '127.0.0.1:6767', '--journal', 'off'])).toThrow('--journal sets the backends of a BBS the bench starts, not a --target');
    expect(parseBenchConfig(['--scenario', 'failover'])).toMatchObject({ callers: 50, kills: 100, journal: 'on' });
  });

  it('still measures the heap per suspended conversation', async () => {
    const { code, stdout, stderr } = await runBench(['--sessions', '200']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('heap per suspended conversation:');
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ sessions: 200 });
  }, 60_000);

  it('measures what replaying a journal costs: a takeover at the main menu, and each row of a long message', async () => {
    const { code, stdout, stderr } = await runBench(['--scenario', 'replay', '--sessions', '20', '--replay-rows', '40']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('replay cost per journal row:');
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ReplayReport;
    expect(report.conversations).toBe(20);
    // At the menu replay starts at its checkpoint; in a message every line typed is a row.
    expect(report.rowsAtMenu).toBeLessThan(5);
    expect(report.rowsDeep).toBeGreaterThanOrEqual(40);
    expect(report.takeoverDeepMicros).toBeGreaterThan(0);
  }, 60_000);

  it('against a running BBS, reports the CPU per input only for the processes it is told of', async () => {
    const bbs = await startTestBbs({ backends: 1 });
    onTestFinished(() => bbs.close());
    const target = ['--target', `127.0.0.1:${bbs.frontPort}`, '--callers', '2', '--think', '50', '--duration', '1', '--baselines', 'off'];

    const unknown = await runBench(target);
    expect(unknown.code, unknown.stderr).toBe(0);
    const alone = JSON.parse(unknown.stdout.trim().split('\n').at(-1) ?? '') as LoadReport;
    expect(alone.callers).toMatchObject({ dialled: 2, reachedMenu: 2 });
    expect(alone.processes.map((p) => p.name)).toEqual(['bench']);
    expect(alone.window.cpuMicrosPerInput).toBeNull();
    expect(unknown.stdout).toContain('no process of the BBS followed: --pid NAME=PID for each');

    const backendPid = bbs.handlers[0]?.child.pid;
    const told = await runBench([...target, '--names', 'told', '--pid', `proxy=${process.pid}`, '--pid', `bbs.10=${backendPid}`]);
    expect(told.code, told.stderr).toBe(0);
    const followed = JSON.parse(told.stdout.trim().split('\n').at(-1) ?? '') as LoadReport;
    expect(followed.processes.map((p) => p.name)).toEqual(['proxy', 'bbs.10', 'bench']);
    expect(followed.window.cpuMicrosPerInput).toBeGreaterThan(0);
  }, 60_000);

  it('refuses, before running, a --json or --profile place it cannot write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-paths-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const notAFolder = join(dir, 'notes.txt');
    writeFileSync(notAFolder, 'a file, not a folder\n');
    const json = await runBench(['--json', join(notAFolder, 'report.json')]);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain(`m2bbs bench: cannot write --json ${join(notAFolder, 'report.json')}`);
    expect(json.stdout).not.toContain('inputs answered');
    const profile = await runBench(['--profile', join(notAFolder, 'profiles')]);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain(`m2bbs bench: cannot write --profile ${join(notAFolder, 'profiles')}`);
  });

  it('refuses a target that is not this machine, saying why', async () => {
    const { code, stderr } = await runBench(['--target', '192.0.2.7:6767']);
    expect(code).toBe(2);
    expect(stderr).toContain('192.0.2.7 is not this machine; m2bbs bench only calls loopback');
  });
});
