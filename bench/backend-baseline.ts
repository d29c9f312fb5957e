/**
 * The backend without the proxy: one `m2bbs handler` process behind a Mongrel2 stand-in in this
 * process, its callers typing as fast as they are answered. Set beside the full run, it shows
 * what the proxy adds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BbsError } from '../common/errors.js';
import { BENCH_PASSWORD, callerName, seedAccounts } from './accounts.js';
import { runLoad } from './load-run.js';
import { Mongrel2StandIn } from './mongrel2-stand-in.js';
import { sampleProcess, type ProcSample } from './proc-stats.js';
import type { Progress } from './progress.js';
import type { Summary } from './samples.js';
import { Walk } from './walk.js';

const M2BBS_BIN = fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url));

export interface BackendBaseline {
  readonly callers: number;
  readonly inputsPerSecond: number;
  readonly repliesPerSecond: number;
  /** The backend process's CPU over the window, in percent of one core. */
  readonly cpuPercent: number | null;
  readonly roundTrip: Summary;
  readonly errors: number;
}

/** Drives one backend with `callers` callers for `seconds`. */
export async function measureBackendAlone(callers: number, seconds: number, progress: Progress): Promise<BackendBaseline> {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-backend-'));
  const names = Array.from({ length: callers }, (_, i) => callerName('direct', i));
  const standIn = await Mongrel2StandIn.start();
  await seedAccounts(join(dir, 'bbs.db'), names);
  const args = ['handler', '--name', 'bbs.direct', '--send-spec', standIn.sendSpec, '--recv-spec', standIn.recvSpec, '--db', join(dir, 'bbs.db'), '--log-level', 'info'];
  const handler = spawn(process.execPath, [M2BBS_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => handler.on('exit', () => resolve()));
  const killOnExit = (): void => void handler.kill('SIGKILL');
  process.on('exit', killOnExit);
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const onData = (chunk: string): void => {
        seen += chunk;
        if (seen.includes('"msg":"handler ready"')) {
          handler.stderr.off('data', onData);
          handler.stderr.resume();
          resolve();
        }
      };
      handler.stderr.setEncoding('utf8').on('data', onData);
      void exited.then(() => reject(new BbsError('BBS_ERR_UNREACHABLE', `m2bbs handler exited before it was ready:\n${seen.slice(-2000)}`)));
    });
    let cpuFrom: ProcSample | undefined;
    let cpuTo: ProcSample | undefined;
    const result = await runLoad({
      label: 'backend alone',
      callers,
      dialFor: () => standIn.dial,
      walkFor: (i) => new Walk(names[i] as string, BENCH_PASSWORD, names[(i + 1) % callers] as string, i),
      plan: { thinkMs: 0, idleAtMenu: false, now: () => performance.now(), random: Math.random },
      dialsPerSecond: 10_000,
      windowSeconds: seconds,
      deadline: performance.now() + (seconds + 30) * 1000,
      progress,
      atWindowStart: () => (cpuFrom = sampleProcess(handler.pid ?? 0)),
      atWindowEnd: () => (cpuTo = sampleProcess(handler.pid ?? 0)),
    });
    const { stats } = result;
    return {
      callers,
      inputsPerSecond: stats.answered / result.windowSeconds,
      repliesPerSecond: stats.replies / result.windowSeconds,
      roundTrip: stats.roundTrip.summary(),
      errors: stats.errors,
      cpuPercent: cpuFrom === undefined || cpuTo === undefined ? null : Math.round((100 * (cpuTo.cpuSeconds - cpuFrom.cpuSeconds)) / result.windowSeconds),
    };
  } finally {
    process.off('exit', killOnExit);
    handler.kill('SIGTERM');
    await exited;
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
