/**
 * The failover and upgrade scenarios' common frame: `m2bbs start` with the bench's accounts, one
 * walking caller per name dialled in and waited for at the menu; then the scenario itself; then
 * the callers stop typing, their last lines are waited for and their writes checked; the callers
 * hang up and the BBS stops whatever happened.
 */
import { BENCH_PASSWORD, callerName, seedAccounts, signUpName } from './accounts.js';
import { startBbs, type BbsUnderTest } from './bbs-under-test.js';
import type { BenchConfig } from './config.js';
import { FailoverCaller, type FailoverTally } from './failover-caller.js';
import { checkWrites, type WriteCheck } from './failover-check.js';
import { FailoverWalk } from './failover-walk.js';
import type { Progress } from './progress.js';

/**
 * How long a caller's last line may wait for its answer at the end: longer than the proxy gives
 * a moving call (20 s), after which it says NO CARRIER.
 */
export const LAST_ANSWER_MS = 25_000;

export interface CrowdOptions<T> {
  readonly config: BenchConfig;
  readonly progress: Progress;
  /** Sets this scenario's post and mail tags apart from another's ('f', 'u'). */
  readonly tag: string;
  readonly tally: FailoverTally;
  /** More `m2bbs start` flags than the journal's. */
  readonly startFlags?: readonly string[];
  /** When the whole run must end (performance.now()). */
  readonly deadline: number;
  /** The progress line's figures. */
  readonly status: (callers: readonly FailoverCaller[], bbs: BbsUnderTest) => string;
  /** The scenario, once every caller is at the menu (or lost); the callers still type meanwhile. */
  readonly run: (bbs: BbsUnderTest, status: () => string) => Promise<T>;
}

/** What the scenario returned, and how the callers ended. */
export interface CrowdEnd<T> {
  readonly result: T;
  readonly callers: readonly FailoverCaller[];
  /** Lines still waiting for their answer LAST_ANSWER_MS after the callers stopped typing. */
  readonly unanswered: number;
  readonly writes: WriteCheck;
  /** Each caller who lost the line, was never answered or never reached the menu, by why (once each). */
  readonly droppedKinds: ReadonlyMap<string, number>;
  readonly serverProblems: string[];
}

/** Runs `options.run` amid the callers on a BBS of its own and reports how the callers ended. */
export async function runCrowd<T>(options: CrowdOptions<T>): Promise<CrowdEnd<T>> {
  const { config, progress } = options;
  const now = (): number => performance.now();
  const names = Array.from({ length: config.callers }, (_, i) => (i < config.signUps ? signUpName(config.names, i) : callerName(config.names, i)));
  progress.show(`starting the BBS: ${config.backends} backends, journal ${config.journal}...`);
  const bbs = await startBbs({
    backends: config.backends,
    // Every caller may end up on one number while the other is away.
    maxCallers: Math.max(config.maxCallers, config.callers + 10),
    prepare: (db) => seedAccounts(db, names.slice(config.signUps)),
    startFlags: ['--journal', config.journal, ...(options.startFlags ?? [])],
  });
  const callers = names.map((name, i) => {
    const walk = new FailoverWalk(name, BENCH_PASSWORD, names[(i + 1) % names.length] as string, `${options.tag}${i}x`, i);
    return new FailoverCaller(walk, { thinkMs: config.thinkMs, now, random: Math.random }, options.tally);
  });
  const status = (): string => options.status(callers, bbs);
  let result: T;
  let writes: WriteCheck;
  let unanswered = 0;
  let serverProblems: string[] = [];
  try {
    for (const [i, caller] of callers.entries()) {
      caller.dial('127.0.0.1', bbs.httpPort);
      if (i % 10 === 9) await sleep(10);
    }
    await until(() => callers.every((c) => c.atMenu || c.lost !== undefined), Math.min(options.deadline, now() + 60_000), () => progress.show(`logging in: ${status()}`));
    result = await options.run(bbs, status);
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
  }
  const droppedKinds = new Map<string, number>();
  for (const caller of callers) {
    const kind = caller.lost ?? (caller.waiting ? 'never answered' : !caller.atMenu ? 'never reached the menu' : undefined);
    if (kind !== undefined) droppedKinds.set(kind, (droppedKinds.get(kind) ?? 0) + 1);
  }
  return { result, callers, unanswered, writes, droppedKinds, serverProblems };
}

/** Waits until `done` or `deadline` (performance.now()), calling `tick` as it goes. */
export async function until(done: () => boolean, deadline: number, tick: () => void = () => undefined): Promise<void> {
  while (!done() && performance.now() < deadline) {
    tick();
    await sleep(20);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
