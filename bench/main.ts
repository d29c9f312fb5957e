/** `m2bbs bench`: parses flags and runs the scenario asked for; the figures go to stdout, progress to stderr. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { BbsError } from '../common/errors.js';
import { runChatBench } from './chat-bench.js';
import { formatChatReport } from './chat-report.js';
import { parseBenchConfig, type BenchConfig } from './config.js';
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
import { runVsMongrel2 } from './vs-mongrel2-bench.js';
import { formatVsReport } from './vs-mongrel2-report.js';

export { BENCH_USAGE } from './config.js';

/** Runs `m2bbs bench` with `argv`. */
export async function runBench(argv: readonly string[]): Promise<void> {
  const config = parseBenchConfig(argv, process.env);
  prepareOutputPaths(config);
  // Each bench caller posts and mails on every walk round, far past any person: the backends it
  // starts (their environment is this one) take writes without the per-hour limit.
  process.env.M2BBS_WRITES_PER_HOUR ??= '0';
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
    return writeOut(config, report);
  }
  if (config.scenario === 'suspended') {
    const report = await measureSuspended(config.sessions, config.journal);
    printSuspended(report);
    return writeOut(config, report);
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
    return writeOut(config, report, formatFailoverReport(report), report.passed);
  }
  if (config.scenario === 'upgrade') {
    const report = await runUpgradeBench(config, createProgress());
    clearTimeout(watchdog);
    return writeOut(config, report, formatUpgradeReport(report), report.passed);
  }
  if (config.scenario === 'chat') {
    const report = await runChatBench(config, createProgress());
    clearTimeout(watchdog);
    return writeOut(config, report, formatChatReport(report), report.passed);
  }
  if (config.scenario === 'vs-mongrel2') {
    const report = await runVsMongrel2(config, createProgress());
    clearTimeout(watchdog);
    return writeOut(config, report, formatVsReport(report), report.passed);
  }
  if (config.scenario === 'non-reading') {
    const report = await runNonReadingBench(config, createProgress());
    clearTimeout(watchdog);
    return writeOut(config, report, formatNonReadingReport(report));
  }
  const report = await runLoadBench(config, createProgress());
  clearTimeout(watchdog);
  writeOut(config, report, formatReport(report));
}

// The table (when not printed already), then the JSON as the last line of stdout and to --json;
// a run that did not pass exits 1, for a script or CI to see.
function writeOut(config: BenchConfig, report: object, table?: string, passed = true): void {
  if (table !== undefined) console.log(table);
  console.log(JSON.stringify(report));
  if (config.json !== undefined) writeFileSync(config.json, `${JSON.stringify(report, null, 2)}\n`);
  if (!passed) process.exitCode = 1;
}
