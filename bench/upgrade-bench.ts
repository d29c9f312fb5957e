/**
 * `m2bbs bench --scenario upgrade`: the whole BBS (`m2bbs start`, journal on), callers walking
 * the menu and writing tagged posts and mails, and a rolling upgrade of every backend in turn
 * (SIGHUP or `m2bbs upgrade`). It reports the callers dropped, inputs not answered or answered
 * twice, writes lost or doubled, the callers moved, the round trip of an input whose answer came
 * after `-- line moved --` against the others, and each backend's upgrade; then the cost of
 * several handlers on one real Mongrel2 send_spec (shared-send-spec.ts).
 */
import { LAST_ANSWER_MS, runCrowd, until } from './caller-crowd.js';
import type { BenchConfig } from './config.js';
import type { FailoverTally } from './failover-caller.js';
import { summarise } from './load-bench.js';
import { hasMongrel2 } from './mongrel2-server.js';
import type { Progress } from './progress.js';
import { Samples } from './samples.js';
import { runSharedSendSpec, type SharedRun } from './shared-send-spec.js';
import type { RollingUpgrade, UpgradeReport } from './upgrade-report.js';
import { upgradeBackends } from './upgrade-trigger.js';

// Callers walk this long before the upgrade and after it, so both are measured under load.
const WALK_AROUND_MS = 2000;

/** Runs the rolling upgrade, then the shared-send_spec runs, and returns the report. */
export async function runUpgradeBench(config: BenchConfig, progress: Progress): Promise<UpgradeReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const rolling = await runRollingUpgrade(config, progress, started + config.maxSeconds * 1000);
  const shared: SharedRun[] = [];
  let sharedSkipped: string | undefined;
  let sharedFailed = false;
  if (config.sharedHandlers.length > 0 && !hasMongrel2()) sharedSkipped = 'mongrel2 is not installed (apt-get install mongrel2-core)';
  else {
    for (const handlers of config.sharedHandlers) {
      try {
        shared.push(await runSharedSendSpec(config, handlers, progress));
      } catch (error) {
        // The upgrade's figures still stand; the run says why these are missing, and fails.
        sharedSkipped = `the run with ${handlers} handler(s) failed: ${(error as Error).message}`;
        sharedFailed = true;
        break;
      }
    }
  }
  progress.done();
  const r = rolling;
  const sharedClean = shared.every((s) => s.dropped === 0 && s.unexpectedAnswers === 0 && s.writes.lost === 0 && s.writes.doubled === 0);
  const passed =
    r.callers.dropped === 0 && r.inputs.unanswered === 0 && r.inputs.answeredTwice === 0 && r.writes.lost === 0 && r.writes.doubled === 0 && r.upgrade.done && sharedClean && !sharedFailed;
  return {
    scenario: 'upgrade',
    startedAt,
    settings: { callers: config.callers, signUps: config.signUps, thinkMs: config.thinkMs, backends: config.backends, journal: config.journal, trigger: config.trigger, sharedCallers: config.sharedCallers, sharedThinkMs: config.sharedThinkMs, sharedSeconds: config.durationSeconds },
    rolling,
    shared,
    sharedSkipped: sharedSkipped ?? null,
    totalSeconds: (performance.now() - started) / 1000,
    passed,
  };
}

async function runRollingUpgrade(config: BenchConfig, progress: Progress, deadline: number): Promise<RollingUpgrade> {
  const now = (): number => performance.now();
  const errors = new Map<string, number>();
  const unexpected = new Map<string, number>();
  const moved = new Samples();
  const others = new Samples();
  const before = new Samples();
  let walkFrom = Infinity;
  let upgradeFrom = Infinity;
  let upgradeTo = Infinity;
  let answered = 0;
  let notices = 0;
  const tally: FailoverTally = {
    answered(sentAt, at, movedAt) {
      answered++;
      // The input that paid for a move: its answer came after a notice that came after it was typed.
      if (movedAt !== undefined && movedAt >= sentAt) moved.add(at - sentAt);
      else if (sentAt >= upgradeFrom && at <= upgradeTo) others.add(at - sentAt);
      else if (sentAt >= walkFrom && at < upgradeFrom) before.add(at - sentAt);
    },
    moved: () => void notices++,
    error: (kind) => void errors.set(kind, (errors.get(kind) ?? 0) + 1),
    unexpected: (what) => void unexpected.set(what, (unexpected.get(what) ?? 0) + 1),
  };

  const end = await runCrowd({
    config,
    progress,
    tag: 'u',
    tally,
    deadline,
    status: (callers, bbs) =>
      `at menu ${callers.filter((c) => c.atMenu).length}/${callers.length}, dropped ${callers.filter((c) => c.lost !== undefined).length}, moved ${callers.filter((c) => c.moves > 0).length}, upgraded ${bbs.logged('backend upgraded').length}/${config.backends}`,
    async run(bbs, status) {
      walkFrom = now();
      await until(() => false, now() + WALK_AROUND_MS, () => progress.show(`walking: ${status()}`));
      upgradeFrom = now();
      // A backend's drain gives up after 60 s (the handler's default --drain-timeout-ms); its start takes seconds.
      const upgradeBy = Math.min(deadline - LAST_ANSWER_MS - WALK_AROUND_MS - 5000, now() + config.backends * 75_000);
      const upgrading = upgradeBackends(bbs, config.trigger, config.backends, upgradeBy);
      const ticker = setInterval(() => progress.show(`[upgrade ${((now() - upgradeFrom) / 1000).toFixed(0)} s] ${status()}`), 500);
      const outcome = await upgrading.finally(() => clearInterval(ticker));
      upgradeTo = now();
      await until(() => false, now() + WALK_AROUND_MS, () => progress.show(`walking after: ${status()}`));
      return outcome;
    },
  });
  const { result: upgrade, callers, writes, droppedKinds } = end;
  const count = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    callers: {
      dialled: callers.length,
      reachedMenu: callers.filter((c) => c.atMenu).length,
      dropped: count(droppedKinds),
      droppedKinds: Object.fromEntries(droppedKinds),
      moveNotices: notices,
      callersMoved: callers.filter((c) => c.moves > 0).length,
    },
    inputs: { answered, unanswered: end.unanswered, answeredTwice: count(unexpected), unexpectedKinds: Object.fromEntries(unexpected) },
    writes,
    movedRoundTripMs: moved.summary(),
    otherRoundTripMs: others.summary(),
    beforeRoundTripMs: before.summary(),
    upgrade,
    errors: { total: count(errors), kinds: Object.fromEntries(errors) },
    serverProblems: summarise(end.serverProblems),
  };
}
