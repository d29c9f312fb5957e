/**
 * `m2bbs bench --scenario failover`: the whole BBS (`m2bbs start`, whose supervisor restarts a
 * killed backend), callers walking the menu and writing tagged posts and mails, and SIGKILLs of
 * random backends. It reports the callers who lost their line or an answer, the writes they were
 * told are stored that are not (or are stored twice), and the time from a kill to the next prompt.
 */
import { BENCH_PASSWORD, callerName, seedAccounts, signUpName } from './accounts.js';
import { killBackends, type Kill } from './backend-killer.js';
import { startBbs, type BbsUnderTest } from './bbs-under-test.js';
import type { BenchConfig } from './config.js';
import { FailoverCaller, type FailoverTally } from './failover-caller.js';
import { checkWrites, type WriteCheck } from './failover-check.js';
import type { FailoverReport } from './failover-report.js';
import { FailoverWalk } from './failover-walk.js';
import { summarise } from './load-bench.js';
import type { Progress } from './progress.js';
import { Samples } from './samples.js';

// A restarted backend comes back this soon (the supervisor's usual 0.5 s, doubling to 10 s when
// it keeps dying, would make 100 kills take many minutes).
const RESTART_DELAY_MS = 50;
// How long a caller's last line may wait for its answer once the kills are over: longer than
// the proxy's time for moving a call (20 s), after which it says NO CARRIER.
const LAST_ANSWER_MS = 25_000;

interface MovedAnswer {
  readonly sentAt: number;
  readonly at: number;
  readonly movedAt: number;
}

/** Runs the soak and returns its report. */
export async function runFailoverBench(config: BenchConfig, progress: Progress): Promise<FailoverReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const deadline = started + config.maxSeconds * 1000;
  const now = (): number => performance.now();
  const names = Array.from({ length: config.callers }, (_, i) => (i < config.signUps ? signUpName(config.names, i) : callerName(config.names, i)));
  const errors = new Map<string, number>();
  const movedAnswers: MovedAnswer[] = [];
  const notices: number[] = [];
  let answered = 0;
  const tally: FailoverTally = {
    answered(sentAt, at, movedAt) {
      answered++;
      if (movedAt !== undefined) movedAnswers.push({ sentAt, at, movedAt });
    },
    moved: (at) => void notices.push(at),
    error: (kind) => void errors.set(kind, (errors.get(kind) ?? 0) + 1),
  };

  progress.show(`starting the BBS: ${config.backends} backends, journal ${config.journal}...`);
  const bbs: BbsUnderTest = await startBbs({
    backends: config.backends,
    // Every caller may end up on one number while the other restarts.
    maxCallers: Math.max(config.maxCallers, config.callers + 10),
    prepare: (db) => seedAccounts(db, names.slice(config.signUps)),
    startFlags: ['--journal', config.journal, '--restart-delay-ms', String(RESTART_DELAY_MS), '--max-restart-delay-ms', String(RESTART_DELAY_MS)],
  });
  const callers = names.map((name, i) => {
    const walk = new FailoverWalk(name, BENCH_PASSWORD, names[(i + 1) % names.length] as string, `f${i}x`, i);
    return new FailoverCaller(walk, { thinkMs: config.thinkMs, now, random: Math.random }, tally);
  });
  let kills: Kill[] = [];
  let killSeconds = 0;
  let writes: WriteCheck;
  let serverProblems: string[] = [];
  let unanswered = 0;
  try {
    for (const [i, caller] of callers.entries()) {
      caller.dial('127.0.0.1', bbs.httpPort);
      if (i % 10 === 9) await sleep(10);
    }
    const status = (): string => `at menu ${callers.filter((c) => c.atMenu).length}/${callers.length}, lost ${callers.filter((c) => c.lost !== undefined).length}, moved ${notices.length}`;
    progress.show(`logging in: ${status()}`);
    await until(() => callers.every((c) => c.atMenu || c.lost !== undefined), Math.min(deadline, now() + 60_000));

    const killsFrom = now();
    kills = await killBackends({
      kills: config.kills,
      pauseMs: config.killPauseMs,
      httpPort: bbs.httpPort,
      processes: () => bbs.processes(),
      now,
      random: Math.random,
      deadline: deadline - LAST_ANSWER_MS - 5000,
      progress: (done) => progress.show(`[failover ${((now() - started) / 1000).toFixed(0)} s] killed ${done}/${config.kills}: ${status()}`),
    });
    killSeconds = (now() - killsFrom) / 1000;
    // The last kill's calls move; then nobody types more, and every line typed is answered.
    await sleep(1000);
    progress.show(`last answers: ${status()}`);
    for (const caller of callers) caller.stop();
    await until(() => callers.every((c) => !c.waiting || c.lost !== undefined), now() + LAST_ANSWER_MS);
    unanswered = callers.filter((c) => c.waiting && c.lost === undefined).length;
    writes = checkWrites(bbs.db, callers.flatMap((c) => c.walk.writes));
  } finally {
    progress.show('stopping...');
    for (const caller of callers) caller.hangUp();
    serverProblems = bbs.problems();
    await bbs.stop();
    progress.done();
  }

  const lostKinds = new Map<string, number>();
  for (const caller of callers) {
    const kind = caller.lost ?? (caller.waiting ? 'never answered' : !caller.atMenu ? 'never reached the menu' : undefined);
    if (kind !== undefined) lostKinds.set(kind, (lostKinds.get(kind) ?? 0) + 1);
  }
  const lost = [...lostKinds.values()].reduce((a, b) => a + b, 0);
  const { takeover, notice } = takeoverTimes(kills, movedAnswers, notices);
  const byBackend: Record<string, number> = {};
  const backUp = new Samples();
  for (const kill of kills) {
    byBackend[kill.backend] = (byBackend[kill.backend] ?? 0) + 1;
    if (kill.backAfterMs !== undefined) backUp.add(kill.backAfterMs);
  }
  return {
    scenario: 'failover',
    startedAt,
    settings: { callers: config.callers, signUps: config.signUps, thinkMs: config.thinkMs, backends: config.backends, journal: config.journal, killPauseMs: config.killPauseMs, restartDelayMs: RESTART_DELAY_MS },
    kills: { made: kills.length, asked: config.kills, byBackend, seconds: killSeconds, backUpMs: backUp.summary() },
    callers: {
      dialled: callers.length,
      reachedMenu: callers.filter((c) => c.atMenu).length,
      lost,
      lostKinds: Object.fromEntries(lostKinds),
      unanswered,
      moveNotices: notices.length,
      callersMoved: callers.filter((c) => c.moves > 0).length,
    },
    inputsAnswered: answered,
    writes,
    takeoverMs: takeover.summary(),
    noticeMs: notice.summary(),
    errors: { total: [...errors.values()].reduce((a, b) => a + b, 0), kinds: Object.fromEntries(errors) },
    serverProblems: summarise(serverProblems),
    totalSeconds: (now() - started) / 1000,
    passed: lost === 0 && writes.lost === 0 && writes.doubled === 0 && kills.length === config.kills,
  };
}

/**
 * Kill to next prompt for each moved answer whose line was typed before the kill that moved it
 * (the last kill before the caller's move notice), and kill to notice for every notice.
 */
function takeoverTimes(kills: readonly Kill[], answers: readonly MovedAnswer[], notices: readonly number[]): { takeover: Samples; notice: Samples } {
  const killBefore = (at: number): Kill | undefined => {
    let found: Kill | undefined;
    for (const kill of kills) if (kill.at <= at) found = kill;
    return found;
  };
  const takeover = new Samples();
  for (const answer of answers) {
    const kill = killBefore(answer.movedAt);
    if (kill !== undefined && answer.sentAt < kill.at) takeover.add(answer.at - kill.at);
  }
  const notice = new Samples();
  for (const at of notices) {
    const kill = killBefore(at);
    if (kill !== undefined) notice.add(at - kill.at);
  }
  return { takeover, notice };
}

async function until(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && performance.now() < deadline) await sleep(20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
