/**
 * `m2bbs bench --scenario failover`: the whole BBS (`m2bbs start`, whose supervisor restarts a
 * killed backend), callers walking the menu and writing tagged posts and mails, and SIGKILLs of
 * random backends. It reports the callers who lost their line or an answer, the writes they were
 * told are stored that are not (or are stored twice), and the time from a kill to the next prompt.
 */
import { killBackends, type Kill } from './backend-killer.js';
import { LAST_ANSWER_MS, runCrowd, sleep } from './caller-crowd.js';
import type { BenchConfig } from './config.js';
import type { FailoverTally } from './failover-caller.js';
import type { FailoverReport } from './failover-report.js';
import { summarise } from './load-bench.js';
import type { Progress } from './progress.js';
import { Samples } from './samples.js';

// A restarted backend comes back this soon (the supervisor's usual 0.5 s, doubling to 10 s when
// it keeps dying, would make 100 kills take many minutes).
const RESTART_DELAY_MS = 50;

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
  let kills: Kill[] = [];
  let killSeconds = 0;
  const end = await runCrowd({
    config,
    progress,
    tag: 'f',
    tally,
    startFlags: ['--restart-delay-ms', String(RESTART_DELAY_MS), '--max-restart-delay-ms', String(RESTART_DELAY_MS)],
    deadline,
    status: (callers) => `at menu ${callers.filter((c) => c.atMenu).length}/${callers.length}, lost ${callers.filter((c) => c.lost !== undefined).length}, moved ${notices.length}`,
    async run(bbs, status) {
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
    },
  }).finally(() => progress.done());
  const { callers, writes } = end;
  const lost = [...end.droppedKinds.values()].reduce((a, b) => a + b, 0);
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
      lostKinds: Object.fromEntries(end.droppedKinds),
      unanswered: end.unanswered,
      moveNotices: notices.length,
      callersMoved: callers.filter((c) => c.moves > 0).length,
    },
    inputsAnswered: answered,
    writes,
    takeoverMs: takeover.summary(),
    noticeMs: notice.summary(),
    errors: { total: [...errors.values()].reduce((a, b) => a + b, 0), kinds: Object.fromEntries(errors) },
    serverProblems: summarise(end.serverProblems),
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
