/**
 * One load-generator run: baselines first, on a quiet machine; then the BBS (started here, or a
 * --target), memory before, the crowd of callers, memory and CPU over the window, and the report.
 */
import { readdirSync, statSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SCRYPT_COST, hashPassword } from '../db/password.js';
import { BENCH_PASSWORD, callerName, seedAccounts, signUpName } from './accounts.js';
import { measureBackendAlone } from './backend-baseline.js';
import { startBbs, type BbsUnderTest } from './bbs-under-test.js';
import type { Dial } from './caller.js';
import type { BenchConfig } from './config.js';
import { BENCH_PROCESS, cpuMicrosPerInput } from './cpu-per-input.js';
import { hottest } from './cpu-profile.js';
import { jsonSocketDial } from './json-socket-wire.js';
import { runLoad } from './load-run.js';
import { settledMemory, type SettledMemory } from './settled-memory.js';
import { sampleAll, type ProcSample, type Watched } from './proc-stats.js';
import type { Progress } from './progress.js';
import type { LoadReport, ProcessFigures } from './report.js';
import { measureSuspended } from './suspended-sessions.js';
import { telnetDial } from './telnet-wire.js';
import { Walk } from './walk.js';
import { webSocketDial } from './websocket-wire.js';
import { measureZmq } from './zmq-baseline.js';

/** Runs the configured scenario end to end and returns its report. */
export async function runLoadBench(config: BenchConfig, progress: Progress): Promise<LoadReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const baselines: LoadReport['baselines'] = {};
  if (config.baselines) {
    progress.show('baseline: raw ZeroMQ round trip...');
    baselines.zmq = await measureZmq(config.baselineSeconds, 50, config.zmq);
    progress.show('baseline: one backend without the proxy...');
    baselines.backendAlone = await measureBackendAlone(50, config.baselineSeconds, progress);
    baselines.scryptHashMs = await timeScrypt(3);
  }
  const suspended = config.scenario === 'idle' ? await measureSuspended(config.sessions, config.journal) : undefined;

  const names = Array.from({ length: config.callers }, (_, i) => (i < config.signUps && config.target === undefined ? signUpName(config.names, i) : callerName(config.names, i)));
  const profileStart = Date.now();
  let bbs: BbsUnderTest | undefined;
  if (config.target === undefined) {
    progress.show(`starting the BBS: ${config.backends} backends of ${config.maxCallers} lines...`);
    bbs = await startBbs({
      backends: config.backends,
      maxCallers: config.maxCallers,
      prepare: (db) => seedAccounts(db, names.slice(config.signUps)),
      startFlags: ['--journal', config.journal, '--zmq', config.zmq],
      ...(config.profileDir === undefined ? {} : { profileDir: config.profileDir }),
    });
  }
  const host = config.target?.host ?? '127.0.0.1';
  const httpPort = config.target?.port ?? bbs?.httpPort ?? 0;
  const telnetTarget = config.telnetTarget ?? (bbs === undefined ? undefined : { host, port: bbs.telnetPort });
  const dials: Record<'json' | 'telnet' | 'websocket', Dial | undefined> = {
    json: jsonSocketDial(host, httpPort, config.route),
    websocket: webSocketDial(host, httpPort, config.route),
    telnet: telnetTarget === undefined ? undefined : telnetDial(telnetTarget.host, telnetTarget.port),
  };
  const doorFor = (i: number): 'json' | 'telnet' | 'websocket' => (config.door === 'mixed' ? (['json', 'telnet', 'websocket'] as const)[i % 3] ?? 'json' : config.door);

  // The supervisor too (m2bbs start: the event bus device, the control socket): its CPU is the BBS's.
  const supervisor = (): Watched[] => (bbs === undefined ? [] : [{ name: 'supervisor', pid: bbs.pid }]);
  const watched = (): Watched[] => [...(bbs?.processes() ?? config.pids), ...supervisor(), { name: BENCH_PROCESS, pid: process.pid }];
  const before = sampleAll(watched());
  // The BBS's processes only: the bench's own garbage is not what a caller costs.
  const settleAll = async (): Promise<Map<number, SettledMemory>> => {
    const settled = new Map<number, SettledMemory>();
    if (!config.settle) return settled;
    for (const { pid } of bbs?.processes() ?? config.pids) {
      const memory = await settledMemory(pid, config.mallocTrim);
      if (memory !== undefined) settled.set(pid, memory);
    }
    return settled;
  };
  if (config.settle) progress.show(`reading memory after a full garbage collection${config.mallocTrim ? ' and malloc_trim' : ''}...`);
  let settledBefore = new Map<number, SettledMemory>();
  let settledEnd = new Map<number, SettledMemory>();
  let windowStart = new Map<number, ProcSample>();
  let windowEnd = new Map<number, ProcSample>();
  let stoppedBy: LoadReport['stoppedBy'] = 'window';
  let result;
  // Read before the BBS stops: its log goes with its folder.
  let seen: Watched[] = [];
  let serverProblems: string[] = [];
  try {
    // In the try: a reading that fails (a malloc_trim refused) still stops the BBS.
    settledBefore = await settleAll();
    result = await runLoad({
      label: config.scenario,
      callers: config.callers,
      dialFor: (i) => dials[doorFor(i)] as Dial,
      walkFor: (i) => new Walk(names[i] as string, BENCH_PASSWORD, names[(i + 1) % names.length] as string, i, config.walk),
      plan: { thinkMs: config.thinkMs, idleAtMenu: config.idleAtMenu, now: () => performance.now(), random: Math.random },
      dialsPerSecond: config.dialsPerSecond,
      windowSeconds: config.durationSeconds,
      deadline: started + config.maxSeconds * 1000,
      progress,
      atWindowStart: () => (windowStart = sampleAll(watched())),
      atWindowEnd: async () => {
        windowEnd = sampleAll(watched());
        settledEnd = await settleAll();
      },
    });
    stoppedBy = result.stoppedBy;
  } finally {
    progress.show('stopping...');
    seen = watched();
    serverProblems = bbs?.problems() ?? [];
    await bbs?.stop();
    progress.done();
  }
  const { stats } = result;
  const processes: ProcessFigures[] = seen.map(({ name, pid }) => {
    const atStart = before.get(pid);
    const atEnd = windowEnd.get(pid);
    const cpuFrom = windowStart.get(pid);
    const callers = Math.max(1, result.liveAtEnd);
    return {
      name,
      pid,
      rssBeforeBytes: atStart?.rssBytes ?? null,
      rssBytes: atEnd?.rssBytes ?? null,
      rssPerCallerBytes: atEnd === undefined ? null : Math.round(atEnd.rssBytes / callers),
      growthPerCallerBytes: atEnd === undefined || atStart === undefined ? null : Math.round((atEnd.rssBytes - atStart.rssBytes) / callers),
      cpuPercent: atEnd === undefined || cpuFrom === undefined ? null : Math.round((100 * (atEnd.cpuSeconds - cpuFrom.cpuSeconds)) / result.windowSeconds),
      ...settledFigures(settledBefore.get(pid), settledEnd.get(pid), callers),
    };
  });
  return {
    scenario: config.scenario,
    startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: release() },
    settings: {
      target: config.target === undefined ? 'started by the bench (m2bbs start)' : `${host}:${httpPort}`,
      door: config.door,
      route: config.route,
      callers: config.callers,
      thinkMs: config.thinkMs,
      idleAtMenu: config.idleAtMenu,
      walk: config.walk,
      windowSeconds: config.durationSeconds,
      dialsPerSecond: config.dialsPerSecond,
      backends: config.target === undefined ? config.backends : null,
      journal: config.target === undefined ? config.journal : null,
      zmq: config.target === undefined ? config.zmq : null,
      maxCallers: config.target === undefined ? config.maxCallers : null,
      accounts: config.target === undefined ? `seeded at scrypt N=16, ${config.signUps} sign-ups at N=${DEFAULT_SCRYPT_COST.N}` : 'the target\'s own',
      ...(config.mallocTrim ? { mallocTrim: true } : {}),
    },
    callers: { dialled: stats.dialled, reachedMenu: stats.atMenu, endedEarly: stats.ended, onLineAtEnd: result.liveAtEnd },
    window: {
      seconds: result.windowSeconds,
      inputs: stats.inputs,
      answered: stats.answered,
      inputsPerSecond: stats.answered / result.windowSeconds,
      repliesPerSecond: stats.replies / result.windowSeconds,
      cpuMicrosPerInput: cpuMicrosPerInput(processes, stats.answered / result.windowSeconds),
    },
    roundTripMs: stats.roundTrip.summary(),
    setupMs: stats.setup.summary(),
    loginMs: stats.login.summary(),
    signUpMs: stats.signUp.summary(),
    busySignals: stats.busy,
    errors: { total: stats.errors, kinds: stats.errorKinds() },
    processes,
    baselines,
    ...(suspended === undefined ? {} : { suspended }),
    serverProblems: summarise(serverProblems),
    profiles: config.profileDir === undefined ? [] : profiles(config.profileDir, profileStart, new Map(seen.map((w) => [w.pid, w.name]))),
    rampSeconds: result.rampSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    stoppedBy,
  };
}

/** Warnings and errors the BBS logged, each once with its count. */
export function summarise(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].slice(0, 20).map(([line, count]) => (count === 1 ? line : `${line} (x${count})`));
}

async function timeScrypt(times: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < times; i++) await hashPassword(BENCH_PASSWORD, DEFAULT_SCRYPT_COST);
  return (performance.now() - started) / times;
}

/** The CPU profiles written into `dir` since `since` (ms), each named by its process and with its hottest functions. */
export function profiles(dir: string, since: number, names: ReadonlyMap<number, string>): LoadReport['profiles'] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile') && statSync(join(dir, file)).mtimeMs >= since)
    .map((file) => {
      const pid = Number(/(\d+)\.cpuprofile$/.exec(file)?.[1]);
      return { process: names.get(pid) ?? `pid ${pid}`, file: join(dir, file), ...hottest(join(dir, file), 12) };
    });
}

/** The memory figures after a full garbage collection, when both readings were made. */
function settledFigures(before: SettledMemory | undefined, atEnd: SettledMemory | undefined, callers: number): Pick<ProcessFigures, 'settled'> | Record<string, never> {
  if (before === undefined || atEnd === undefined) return {};
  return {
    settled: {
      rssBeforeBytes: before.rssBytes,
      rssBytes: atEnd.rssBytes,
      growthPerCallerBytes: Math.round((atEnd.rssBytes - before.rssBytes) / callers),
      heapGrowthPerCallerBytes: Math.round((atEnd.heapUsedBytes - before.heapUsedBytes) / callers),
    },
  };
}
