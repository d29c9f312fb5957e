/**
 * `m2bbs bench --scenario chat` (issue 17): `m2bbs start` with its backends and event bus, the
 * callers spread over the numbers (each dials `@bbs.10`, `@bbs.11`... by name), logged in with
 * the bench's accounts, all in the chat room; then each says a tagged line every --think ms,
 * and every other caller's receipt of it is timed. Talking runs a warm-up, then the measuring
 * window (CPU of every process sampled at both ends), then the callers fall silent and the last
 * deliveries are waited for; everything it started is stopped whatever happened.
 */
import { cpus, release, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BENCH_PASSWORD, callerName, seedAccounts, signUpName } from './accounts.js';
import { startBbs, type BbsUnderTest } from './bbs-under-test.js';
import { sleep, until } from './caller-crowd.js';
import { ChatCaller } from './chat-caller.js';
import { databaseBytes, journalHighWater } from './chat-db.js';
import { chatCpu, type ChatReport } from './chat-report.js';
import { ChatTally, SLICE_MS } from './chat-tally.js';
import type { BenchConfig } from './config.js';
import { BENCH_PROCESS } from './cpu-per-input.js';
import { profiles, summarise } from './load-bench.js';
import { sampleAll, sampleMachine, type MachineSample, type ProcSample, type Watched } from './proc-stats.js';
import { clearProfileMarks, openProfileWindow } from './profile-window.js';
import type { Progress } from './progress.js';
import { Walk } from './walk.js';

/** How long the callers talk before the window opens, at most: every caller has said about a line. */
const WARM_UP_MAX_MS = 5000;
/** The bench's event-loop timer; what it records includes this period, taken off in the report. */
const LOOP_RESOLUTION_MS = 1;
/** How long the last deliveries may take once the callers fall silent. */
const DRAIN_MS = 20_000;
/** The join announcements of everyone entering must have stopped this long before talking begins. */
const JOINS_QUIET_MS = 1000;

/** Runs the chat scenario on a BBS it starts and returns the report. */
export async function runChatBench(config: BenchConfig, progress: Progress): Promise<ChatReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  // Ahead of main.ts's watchdog (the same --max-seconds), so that a run cut short still reports.
  const deadline = started + (config.maxSeconds - 15) * 1000;
  const now = (): number => performance.now();
  const names = Array.from({ length: config.callers }, (_, i) => (i < config.signUps ? signUpName(config.names, i) : callerName(config.names, i)));
  const routes = Array.from({ length: config.backends }, (_, i) => `@bbs.${10 + i}`);
  const errors = new Map<string, number>();
  const tally = new ChatTally(config.callers);
  const plan = { thinkMs: config.thinkMs, now, random: Math.random, error: (kind: string) => void errors.set(kind, (errors.get(kind) ?? 0) + 1) };
  progress.show(`starting the BBS: ${config.backends} backends...`);
  const profileStart = Date.now();
  if (config.profileDir !== undefined) clearProfileMarks(config.profileDir);
  const bbs: BbsUnderTest = await startBbs({
    backends: config.backends,
    // Half the callers dial each number, but a number must hold them all while the other is away.
    maxCallers: Math.max(config.maxCallers, config.callers + 10),
    prepare: (db) => seedAccounts(db, names.slice(config.signUps)),
    startFlags: ['--journal', config.journal, '--zmq', config.zmq],
    ...(config.profileDir === undefined ? {} : { profileDir: config.profileDir }),
  });
  const callers = names.map((name, i) => new ChatCaller(i, new Walk(name, BENCH_PASSWORD, name, i), routes[i % routes.length] as string, plan, tally));
  const inRoom = (): number => callers.filter((c) => c.inRoom).length;
  const status = (): string =>
    `in the room ${inRoom()}/${callers.length}, lost ${callers.filter((c) => c.lost !== undefined).length}, lines said ${callers.reduce((n, c) => n + c.lines, 0)}, deliveries outstanding ${tally.outstanding()}`;
  const watched = (): Watched[] => [...bbs.processes(), { name: 'supervisor', pid: bbs.pid }, { name: BENCH_PROCESS, pid: process.pid }];
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  let seen: Watched[] = [];
  let windowStart = new Map<number, ProcSample>();
  let windowEnd = new Map<number, ProcSample>();
  let machineFrom: MachineSample | undefined;
  let machineTo: MachineSample | undefined;
  let windowSeconds = 0;
  let joinSeconds = 0;
  let settleSeconds: number | null = null;
  let drainSeconds = 0;
  let unanswered = 0;
  let journalFrom: number | undefined;
  let journalTo: number | undefined;
  let dbBytes: number | null = null;
  let serverProblems: string[] = [];
  let stoppedBy: ChatReport['stoppedBy'] = 'window';
  try {
    // Dialled at --dial-rate, in slices of 10.
    const dialFrom = now();
    for (const [i, caller] of callers.entries()) {
      caller.dial('127.0.0.1', bbs.httpPort);
      if (i % 10 === 9) await sleep(10_000 / config.dialsPerSecond);
    }
    await until(() => callers.every((c) => c.inRoom || c.lost !== undefined), Math.min(deadline, now() + 120_000), () => progress.show(`entering the room: ${status()}`));
    joinSeconds = (now() - dialFrom) / 1000;
    await joinsQuiet(tally, Math.min(deadline, now() + 60_000), () => progress.show(`waiting for the joins to settle: ${status()}`));
    tally.setRoom(callers.map((c) => c.inRoom));
    settleSeconds = await settle(callers, tally, Math.min(deadline, now() + 120_000), () => progress.show(`settling (a probe line to everyone): ${status()}`));
    // A room of one (or none: no chat room on this BBS) has nobody to deliver to; the report says so.
    if (inRoom() >= 2) {
      for (const caller of callers) if (caller.inRoom) caller.startTalking();
      const warmUp = Math.min(config.thinkMs, WARM_UP_MAX_MS);
      await until(() => false, now() + warmUp, () => progress.show(`warming up: ${status()}`));

      const closeProfiles = config.profileDir === undefined ? undefined : openProfileWindow(config.profileDir);
      journalFrom = journalHighWater(bbs.db);
      windowStart = sampleAll(watched());
      machineFrom = sampleMachine();
      loopDelay.enable();
      const windowFrom = now();
      tally.openWindow(windowFrom);
      const windowTo = Math.min(deadline - DRAIN_MS, windowFrom + config.durationSeconds * 1000);
      if (windowTo < windowFrom + config.durationSeconds * 1000) stoppedBy = 'deadline';
      await until(() => false, windowTo, () => progress.show(`[window ${((now() - windowFrom) / 1000).toFixed(0)} s] ${status()}`));
      tally.closeWindow();
      windowSeconds = (now() - windowFrom) / 1000;
      loopDelay.disable();
      windowEnd = sampleAll(watched());
      machineTo = sampleMachine();
      closeProfiles?.();
      journalTo = journalHighWater(bbs.db);

      for (const caller of callers) caller.stop();
      const drainFrom = now();
      await until(() => tally.outstanding() <= 0 && callers.every((c) => c.waiting === 0), Math.min(deadline, now() + DRAIN_MS), () => progress.show(`last deliveries: ${status()}`));
      drainSeconds = (now() - drainFrom) / 1000;
      unanswered = callers.reduce((n, c) => n + c.waiting, 0);
    }
    dbBytes = databaseBytes(bbs.db);
  } finally {
    progress.show('stopping...');
    for (const caller of callers) caller.hangUp();
    seen = watched();
    serverProblems = bbs.problems();
    await bbs.stop();
    if (config.profileDir !== undefined) clearProfileMarks(config.profileDir);
    progress.done();
  }
  const deliveries = tally.result();
  const [p50, p95, p99] = tally.latency.percentiles([0.5, 0.95, 0.99]);
  const latency = tally.latency.summary();
  const lostKinds = new Map<string, number>();
  for (const caller of callers) if (caller.lost !== undefined) lostKinds.set(caller.lost, (lostKinds.get(caller.lost) ?? 0) + 1);
  const perNumber = Object.fromEntries(routes.map((route) => [route, callers.filter((c) => c.route === route && c.inRoom).length]));
  const cpu = chatCpu(seen, windowStart, windowEnd, windowSeconds, tally.deliveredInWindow, tally.saidInWindow, machineFrom, machineTo);
  const count = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const bench = cpu.processes.find((p) => p.name === BENCH_PROCESS);
  const late = (ns: number): number => (loopDelay.count > 0 ? Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) : 0);
  const loopP99 = late(loopDelay.percentile(99));
  const loopMax = late(loopDelay.max);
  // One core is all the bench's thread can use; near it, or with its loop late, receipts wait on the bench itself.
  const behind = (bench?.cpuPercent ?? 0) >= 85 || loopP99 >= 50;
  return {
    scenario: 'chat',
    startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: release() },
    settings: {
      callers: config.callers,
      thinkMs: config.thinkMs,
      windowSeconds: config.durationSeconds,
      warmUpMs: Math.min(config.thinkMs, WARM_UP_MAX_MS),
      backends: config.backends,
      numbers: routes.join(','),
      door: 'json',
      journal: config.journal,
      zmq: config.zmq,
      dialsPerSecond: config.dialsPerSecond,
      signUps: config.signUps,
    },
    callers: {
      dialled: callers.length,
      reachedMenu: callers.filter((c) => c.atMenu).length,
      inRoom: inRoom(),
      perNumber,
      lost: count(lostKinds),
      lostKinds: Object.fromEntries(lostKinds),
      joinSeconds,
      settleSeconds,
    },
    window: {
      seconds: windowSeconds,
      linesSaid: tally.saidInWindow,
      linesPerSecond: windowSeconds === 0 ? 0 : tally.saidInWindow / windowSeconds,
      plannedLinesPerSecond: config.thinkMs === 0 ? 0 : (tally.room * 1000) / config.thinkMs,
      delivered: tally.deliveredInWindow,
      deliveriesPerSecond: windowSeconds === 0 ? 0 : tally.deliveredInWindow / windowSeconds,
    },
    deliveries,
    latencyMs: { count: latency.count, p50: p50 ?? 0, p95: p95 ?? 0, p99: p99 ?? 0, max: latency.max, mean: latency.mean },
    latencyBySliceMs: tally.slices.map((slice, i) => {
      const [q50, q99] = slice.percentiles([0.5, 0.99]);
      return { fromSeconds: (i * SLICE_MS) / 1000, count: slice.count, p50: q50 ?? 0, p99: q99 ?? 0, max: slice.summary().max };
    }),
    sayToOwnPromptMs: tally.sayToAck.summary(),
    target: { p99Ms: 100, met: latency.count > 0 && (p99 ?? Infinity) < 100 },
    cpu,
    bench: { cpuPercent: bench?.cpuPercent ?? null, loopDelayP99Ms: loopP99, loopDelayMaxMs: loopMax, behind },
    unanswered,
    drainSeconds,
    database: {
      journalRowsInWindow: journalFrom === undefined || journalTo === undefined ? null : journalTo - journalFrom,
      journalRowsPerDelivery: journalFrom === undefined || journalTo === undefined || tally.deliveredInWindow === 0 ? null : (journalTo - journalFrom) / tally.deliveredInWindow,
      bytesAtEnd: dbBytes,
    },
    events: Object.fromEntries(tally.kinds),
    errors: { total: count(errors), kinds: Object.fromEntries(errors) },
    serverProblems: summarise(serverProblems),
    profiles: config.profileDir === undefined ? [] : profiles(config.profileDir, profileStart, new Map(seen.map((w) => [w.pid, w.name]))),
    totalSeconds: (performance.now() - started) / 1000,
    stoppedBy,
    passed: deliveries.said > 0 && deliveries.lost === 0 && deliveries.doubled === 0 && count(lostKinds) === 0 && unanswered === 0 && inRoom() === callers.length,
  };
}

/**
 * Has the first caller in the room say one line and waits until every other caller has it: the
 * join announcements queued before it on every path (bus, backend, proxy) are then through, and
 * the window measures the chat, not the tail of everyone's entry. Seconds it took; null if it
 * never reached everyone by `deadline`.
 */
async function settle(callers: readonly ChatCaller[], tally: ChatTally, deadline: number, tick: () => void): Promise<number | null> {
  const from = performance.now();
  const speaker = callers.find((c) => c.inRoom);
  const line = speaker?.sayNow();
  if (speaker === undefined || line === undefined) return null;
  tally.watch(speaker.index, line);
  const everyone = (): boolean => tally.reached(speaker.index, line) >= tally.room - 1;
  await until(everyone, deadline, tick);
  // Its prompt too, so that it starts like the others.
  await until(() => speaker.waiting === 0, deadline, tick);
  return everyone() ? (performance.now() - from) / 1000 : null;
}

/** Waits until no join announcement has arrived for JOINS_QUIET_MS (or `deadline`). */
async function joinsQuiet(tally: ChatTally, deadline: number, tick: () => void): Promise<void> {
  let last = -1;
  let quietSince = performance.now();
  await until(
    () => {
      const joins = tally.kinds.get('join') ?? 0;
      if (joins !== last) {
        last = joins;
        quietSince = performance.now();
      }
      return performance.now() - quietSince >= JOINS_QUIET_MS;
    },
    deadline,
    tick,
  );
}
