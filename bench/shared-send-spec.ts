/**
 * The cost of several `m2bbs handler` processes on one real Mongrel2 send_spec, which Mongrel2
 * deals lines to round robin: callers walk the menu through Mongrel2's JSON socket, and the run
 * counts inputs answered per second and takeovers (a conversation replayed by the process that
 * got its line from the one that held it) per input, from the database and the handlers' logs.
 */
import { sleep, until } from './caller-crowd.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BbsError } from '../common/errors.js';
import { BENCH_PASSWORD, callerName, seedAccounts } from './accounts.js';
import type { BenchConfig } from './config.js';
import { FailoverCaller, type FailoverTally } from './failover-caller.js';
import { checkWrites, type WriteCheck } from './failover-check.js';
import { FailoverWalk } from './failover-walk.js';
import { loggedRecords, startM2bbs, stopChild } from './m2bbs-process.js';
import { startMongrel2 } from './mongrel2-server.js';
import { sampleProcess } from './proc-stats.js';
import type { Progress } from './progress.js';
import { Samples, type Summary } from './samples.js';

// A numbered line with no word back for this long is sent again (a handler may hold a line for a
// conversation whose owner has not finished with it; the handler dedups what it already read).
const RESEND_AFTER_MS = 1000;

/** One run: `handlers` processes on one send_spec. */
export interface SharedRun {
  readonly handlers: number;
  readonly callers: number;
  readonly reachedMenu: number;
  /** Callers whose line closed or said NO CARRIER, or who never reached the menu or an answer. */
  readonly dropped: number;
  readonly droppedKinds: Readonly<Record<string, number>>;
  /** Inputs answered in the window, per second. */
  readonly inputsPerSecond: number;
  readonly windowInputs: number;
  readonly roundTripMs: Summary;
  /** Takeovers in the window (the handlers' `conversation taken over` lines), per input answered. */
  readonly takeoversPerInput: number;
  readonly windowTakeovers: number;
  /** CPU time of all the handlers over the window, per input answered in it (µs); null without /proc. */
  readonly handlerCpuMicrosPerInput: number | null;
  /** Takeovers over the whole run (logins included), from the logs. */
  readonly takeovers: number;
  /** The same from the database: epoch - 1 summed over the conversations still open at the end. */
  readonly epochTakeovers: number;
  /** Prompts no line was waiting for, or acknowledging another input than the last typed. */
  readonly unexpectedAnswers: number;
  /** Lines sent again after a second's silence (numbered: read once whatever happens). */
  readonly resent: number;
  readonly writes: WriteCheck;
  readonly errors: number;
}

/** Runs Mongrel2 with `handlers` handlers on one send_spec under `config.sharedCallers` callers. */
export async function runSharedSendSpec(config: BenchConfig, handlers: number, progress: Progress): Promise<SharedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-shared-'));
  const db = join(dir, 'bbs.db');
  const names = Array.from({ length: config.sharedCallers }, (_, i) => callerName(config.names, i));
  await seedAccounts(db, names);
  const m2 = await startMongrel2(dir).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const processes: ChildProcess[] = [];
  const logs = Array.from({ length: handlers }, (_, i) => join(dir, `handler-${i}.log`));
  const roundTrip = new Samples();
  let answered = 0;
  let errors = 0;
  let unexpected = 0;
  let resent = 0;
  const tally: FailoverTally = {
    answered(sentAt, at) {
      answered++;
      roundTrip.add(at - sentAt);
    },
    moved: () => undefined,
    error: () => void errors++,
    unexpected: () => void unexpected++,
    resent: () => void resent++,
  };
  const now = (): number => performance.now();
  const callers = names.map((name, i) => new FailoverCaller(new FailoverWalk(name, BENCH_PASSWORD, names[(i + 1) % names.length] as string, `s${handlers}c${i}x`, i), { thinkMs: config.sharedThinkMs, now, random: Math.random, resendAfterMs: RESEND_AFTER_MS }, tally));
  try {
    for (const log of logs) processes.push(startHandler(log, m2.sendSpec, m2.recvSpec, db));
    await until(() => logs.every((log) => logged(log, 'handler ready') > 0), now() + 30_000);
    if (!logs.every((log) => logged(log, 'handler ready') > 0)) throw new BbsError('BBS_ERR_UNREACHABLE', `a handler did not start within 30 s; see ${logs.join(', ')}`);
    for (const [i, caller] of callers.entries()) {
      caller.dial('127.0.0.1', m2.port);
      if (i % 10 === 9) await sleep(10);
    }
    const status = (): string => `[shared send_spec, ${handlers} handlers] at menu ${callers.filter((c) => c.atMenu).length}/${callers.length}, answered ${answered}`;
    progress.show(status());
    await until(() => callers.every((c) => c.atMenu || c.lost !== undefined), now() + 60_000);
    roundTrip.clear();
    const takenOver = (): number => logs.reduce((sum, log) => sum + logged(log, 'conversation taken over'), 0);
    const handlerCpu = (): number | undefined => {
      let total = 0;
      for (const p of processes) {
        const sample = p.pid === undefined ? undefined : sampleProcess(p.pid);
        if (sample === undefined) return undefined;
        total += sample.cpuSeconds;
      }
      return total;
    };
    const from = { at: now(), answered, takeovers: takenOver(), cpu: handlerCpu() };
    while (now() < from.at + config.durationSeconds * 1000) {
      progress.show(status());
      await sleep(250);
    }
    const seconds = (now() - from.at) / 1000;
    const windowInputs = answered - from.answered;
    const windowTakeovers = takenOver() - from.takeovers;
    const cpuTo = handlerCpu();
    const handlerCpuMicrosPerInput = from.cpu === undefined || cpuTo === undefined || windowInputs === 0 ? null : ((cpuTo - from.cpu) * 1e6) / windowInputs;
    const window = { roundTripMs: roundTrip.summary(), inputsPerSecond: windowInputs / seconds };
    for (const caller of callers) caller.stop();
    await until(() => callers.every((c) => !c.waiting || c.lost !== undefined), now() + 15_000);
    const droppedKinds: Record<string, number> = {};
    for (const c of callers) {
      const kind = c.lost ?? (c.waiting ? 'never answered' : !c.atMenu ? 'never reached the menu' : undefined);
      if (kind !== undefined) droppedKinds[kind] = (droppedKinds[kind] ?? 0) + 1;
    }
    return {
      handlers,
      callers: callers.length,
      reachedMenu: callers.filter((c) => c.atMenu).length,
      dropped: Object.values(droppedKinds).reduce((a, b) => a + b, 0),
      droppedKinds,
      inputsPerSecond: window.inputsPerSecond,
      windowInputs,
      roundTripMs: window.roundTripMs,
      takeoversPerInput: windowInputs === 0 ? 0 : windowTakeovers / windowInputs,
      windowTakeovers,
      handlerCpuMicrosPerInput,
      takeovers: takenOver(),
      epochTakeovers: epochTakeovers(db),
      unexpectedAnswers: unexpected,
      resent,
      writes: checkWrites(db, callers.flatMap((c) => c.walk.writes)),
      errors,
    };
  } finally {
    for (const caller of callers) caller.hangUp();
    // SIGINT stops a handler at once (SIGTERM would drain it first).
    await Promise.all(processes.map((p) => stopChild(p)));
    await m2.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function startHandler(log: string, sendSpec: string, recvSpec: string, db: string): ChildProcess {
  return startM2bbs(['handler', '--name', 'bbs.10', '--send-spec', sendSpec, '--recv-spec', recvSpec, '--db', db, '--journal', 'on', '--max-callers', '0', '--bad-pass-delay-ms', '0', '--log-level', 'info'], log);
}

/** Log lines in `file` whose message is `msg`. */
function logged(file: string, msg: string): number {
  return loggedRecords(file, msg).length;
}

/** Takeovers of the conversations still open: every claim after a conversation's first raised its epoch by one. */
function epochTakeovers(db: string): number {
  const file = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return file.prepare<[], number>('SELECT COALESCE(SUM(epoch - 1), 0) FROM conversations').pluck().get() ?? 0;
  } finally {
    file.close();
  }
}
