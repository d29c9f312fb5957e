/** `m2bbs bench`: parses flags and runs the scenario asked for; the figures go to stdout, progress to stderr. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { BbsError } from '../common/errors.js';
import { parseBenchConfig } from './config.js';
import { runFailoverBench } from './failover-bench.js';
import { formatFailoverReport } from './failover-report.js';
import { runLoadBench } from './load-bench.js';
import { runNonReadingBench } from './non-reading-bench.js';
import { formatNonReadingReport } from './non-reading-report.js';
import { createProgress } from './progress.js';
import { prepareOutputPaths } from './output-paths.js';
import { formatReport } from './report.js';
import { runUpgradeBench } from './upgrade-bench.js';
import { formatUpgradeReport } from './upgrade-report.js';
import { measureReplay, printReplay } from './replay-cost.js';
import { measureSuspended, printSuspended } from './suspended-sessions.js';

export { BENCH_USAGE } from './config.js';

/** Runs `m2bbs bench` with `argv`. */
export async function runBench(argv: readonly string[]): Promise<void> {
  const config = parseBenchConfig(argv, process.env);
  prepareOutputPaths(config);
  // Ctrl-C (or a test cleaning up) ends the run; exiting runs the 'exit' hooks that stop what it started.
  process.once('SIGINT', () => {
    console.error('m2bbs bench: interrupted; stopping what it started.');
    process.exit(130);
  });
  const needsGc = config.scenario === 'suspended' || config.scenario === 'idle';
  if (needsGc && (globalThis as { gc?: unknown }).gc === undefined) {
    // Heap figures need a full collection before each reading: run again with --expose-gc.
    const again = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, process.argv[1] ?? '', 'bench', ...argv], { stdio: 'inherit' });
    if (again.status !== 0) throw new BbsError('BBS_ERR_USAGE', `bench failed (exit ${again.status})`);
    return;
  }
  if (config.scenario === 'replay') {
    const report = await measureReplay(config.sessions, config.replayRows);
    printReplay(report);
    console.log(JSON.stringify(report));
    if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if (config.scenario === 'suspended') {
    const report = await measureSuspended(config.sessions, config.journal);
    printSuspended(report);
    console.log(JSON.stringify(report));
    if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  // Every stage has its own limit; this one is for whatever was not foreseen.
  const limitSeconds = config.maxSeconds + (config.baselines ? 4 * config.baselineSeconds + 90 : 0) + (config.scenario === 'idle' ? 120 : 0);
  const watchdog = setTimeout(() => {
    console.error(`m2bbs bench: still running after ${limitSeconds} s; stopping.`);
    process.exit(1);
  }, limitSeconds * 1000).unref();
  if (config.scenario === 'failover') {
    const report = await runFailoverBench(config, createProgress());
    clearTimeout(watchdog);
    console.log(formatFailoverReport(report));
    console.log(JSON.stringify(report));
    if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(report, null, 2)}\n`);
    // Something lost or doubled fails the run, for a script or CI to see.
    if (!report.passed) process.exitCode = 1;
    return;
  }
  if (config.scenario === 'upgrade') {
    const report = await runUpgradeBench(config, createProgress());
    clearTimeout(watchdog);
    console.log(formatUpgradeReport(report));
    console.log(JSON.stringify(report));
    if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(report, null, 2)}\n`);
    if (!report.passed) process.exitCode = 1;
    return;
  }
  if (config.scenario === 'non-reading') {
    const report = await runNonReadingBench(config, createProgress());
    clearTimeout(watchdog);
    console.log(formatNonReadingReport(report));
    console.log(JSON.stringify(report));
    if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const report = await runLoadBench(config, createProgress());
  clearTimeout(watchdog);
  console.log(formatReport(report));
  console.log(JSON.stringify(report));
  if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(report, null, 2)}\n`);
}
