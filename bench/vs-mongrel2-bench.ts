/**
 * `--scenario vs-mongrel2`: real Mongrel2 and the m2bbs proxy side by side, the same handler behind
 * each (the foreign echo handler, then an m2bbs backend), the same callers against each in turn,
 * round after round, alternating which goes first; before that, with the echo handler, each
 * server's memory with no caller and per idle connection.
 */
import { cpus, release } from 'node:os';
import { BbsError } from '../common/errors.js';
import { callerName, BENCH_PASSWORD } from './accounts.js';
import type { BenchConfig } from './config.js';
import { holdIdle } from './idle-hold.js';
import { runLoad } from './load-run.js';
import { hasMongrel2 } from './mongrel2-server.js';
import { sampleProcess, type ProcSample } from './proc-stats.js';
import type { Progress } from './progress.js';
import type { Summary } from './samples.js';
import { startSide, type HandlerKind, type ServerName, type Side } from './vs-mongrel2-sides.js';
import { Walk } from './walk.js';

/** What one server did in one round. */
export interface SideRound {
  readonly server: ServerName;
  /** Inputs answered per second (with the echo handler, one message each way). */
  readonly perSecond: number;
  readonly roundTripMs: Summary;
  /** CPU time per input answered, in µs: the server alone, the handler alone, and the bench's callers. */
  readonly serverCpuMicros: number | null;
  readonly handlerCpuMicros: number | null;
  readonly benchCpuMicros: number;
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
}

/** A server's memory: with no caller, and with `connections` idle ones. */
export interface SideMemory {
  readonly server: ServerName;
  readonly rssNoCallerBytes: number | null;
  readonly connections: number;
  readonly rssPerConnectionBytes: number | null;
}

export interface VsPart {
  readonly handler: HandlerKind;
  /** Handler processes behind each server, each its own number (the echo handler: one). */
  readonly backends: number;
  /** Every process the part started (servers and handlers), all stopped before the report. */
  readonly pids: readonly number[];
  readonly rounds: readonly { readonly mongrel2: SideRound; readonly m2bbs: SideRound }[];
  readonly memory: readonly SideMemory[];
}

export interface VsReport {
  readonly scenario: 'vs-mongrel2';
  readonly startedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly kernel: string };
  readonly settings: Readonly<Record<string, unknown>>;
  readonly parts: readonly VsPart[];
  readonly totalSeconds: number;
  /** False when a round had callers' errors: its figures are not to be trusted. */
  readonly passed: boolean;
}

/** Runs the comparison asked for by `config`. */
export async function runVsMongrel2(config: BenchConfig, progress: Progress): Promise<VsReport> {
  if (!hasMongrel2()) throw new BbsError('BBS_ERR_USAGE', '--scenario vs-mongrel2 needs the real Mongrel2: apt-get install mongrel2-core');
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const parts: VsPart[] = [];
  for (const handler of config.compare) parts.push(await runPart(config, handler, progress));
  const passed = parts.every((part) => part.rounds.every((round) => round.mongrel2.errors === 0 && round.m2bbs.errors === 0));
  return {
    scenario: 'vs-mongrel2',
    startedAt,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, kernel: release() },
    settings: { callers: config.callers, rounds: config.rounds, windowSeconds: config.durationSeconds, idleConnections: config.idleConnections, compare: config.compare.join(','), backends: config.backends },
    parts,
    totalSeconds: (performance.now() - started) / 1000,
    passed,
  };
}

async function runPart(config: BenchConfig, handler: HandlerKind, progress: Progress): Promise<VsPart> {
  const names = Array.from({ length: config.callers }, (_, i) => callerName(config.names, i));
  const sides: Side[] = [];
  try {
    progress.show(`vs-mongrel2, ${handler} handler: starting Mongrel2 and the m2bbs proxy...`);
    for (const server of ['mongrel2', 'm2bbs'] as const) sides.push(await startSide(server, handler, names, { backends: config.backends, ...(config.profileDir === undefined ? {} : { profileDir: config.profileDir }) }));
    const noCaller = new Map(sides.map((side) => [side.server, sampleProcess(side.serverPid)?.rssBytes ?? null]));
    // Memory first, on servers that have not carried a load yet (its garbage would blur the figure).
    const memory: SideMemory[] = [];
    for (const side of sides) {
      const idle = handler === 'echo' && config.idleConnections > 0 ? await idleMemory(side, config.idleConnections, progress) : null;
      memory.push({ server: side.server, rssNoCallerBytes: noCaller.get(side.server) ?? null, connections: idle === null ? 0 : config.idleConnections, rssPerConnectionBytes: idle });
    }
    const rounds: VsPart['rounds'][number][] = [];
    for (let round = 0; round < config.rounds; round++) {
      // ABBA: whoever went first last round goes second, so a machine slowing down favours neither.
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      const figures = new Map<ServerName, SideRound>();
      for (const side of order) figures.set(side.server, await measureRound(config, side, handler, names, `${handler} ${round + 1}/${config.rounds} ${side.server}`, progress));
      rounds.push({ mongrel2: figures.get('mongrel2') as SideRound, m2bbs: figures.get('m2bbs') as SideRound });
    }
    return { handler, backends: handler === 'echo' ? 1 : config.backends, pids: sides.flatMap((side) => [side.serverPid, ...side.handlerPids]), rounds, memory };
  } finally {
    progress.show(`vs-mongrel2, ${handler} handler: stopping both sides...`);
    await Promise.all(sides.map((side) => side.stop()));
    progress.done();
  }
}

async function measureRound(config: BenchConfig, side: Side, handler: HandlerKind, names: readonly string[], label: string, progress: Progress): Promise<SideRound> {
  let from: { server?: ProcSample; handler?: ProcSample; bench: NodeJS.CpuUsage } | undefined;
  let to: typeof from;
  const sample = (): NonNullable<typeof from> => ({ ...defined('server', sampleProcess(side.serverPid)), ...defined('handler', handlersTogether(side.handlerPids)), bench: process.cpuUsage() });
  const result = await runLoad({
    label,
    callers: config.callers,
    dialFor: (i) => side.dialFor(i),
    // The echo handler's one prompt reads as the main menu: its callers press Enter at it.
    walkFor: (i) => new Walk(names[i] as string, BENCH_PASSWORD, names[(i + 1) % names.length] as string, i, handler === 'echo' ? 'enter' : config.walk),
    plan: { thinkMs: 0, idleAtMenu: false, now: () => performance.now(), random: Math.random },
    dialsPerSecond: config.dialsPerSecond,
    windowSeconds: config.durationSeconds,
    deadline: performance.now() + (config.durationSeconds + 60) * 1000,
    progress,
    atWindowStart: () => (from = sample()),
    atWindowEnd: () => (to = sample()),
  });
  const { stats } = result;
  const answered = stats.answered;
  const perInput = (a: ProcSample | undefined, b: ProcSample | undefined): number | null => (a === undefined || b === undefined || answered === 0 ? null : ((b.cpuSeconds - a.cpuSeconds) * 1e6) / answered);
  const bench = to === undefined || from === undefined ? 0 : to.bench.user + to.bench.system - from.bench.user - from.bench.system;
  return {
    server: side.server,
    perSecond: answered / result.windowSeconds,
    roundTripMs: stats.roundTrip.summary(),
    serverCpuMicros: perInput(from?.server, to?.server),
    handlerCpuMicros: perInput(from?.handler, to?.handler),
    benchCpuMicros: answered === 0 ? 0 : bench / answered,
    errors: stats.errors,
    errorKinds: stats.errorKinds(),
  };
}

/** The handlers' CPU time summed (their RSS too); undefined when one cannot be read. */
function handlersTogether(pids: readonly number[]): ProcSample | undefined {
  let rssBytes = 0;
  let cpuSeconds = 0;
  for (const pid of pids) {
    const sample = sampleProcess(pid);
    if (sample === undefined) return undefined;
    rssBytes += sample.rssBytes;
    cpuSeconds += sample.cpuSeconds;
  }
  return { rssBytes, cpuSeconds };
}

function defined<K extends string>(key: K, value: ProcSample | undefined): Partial<Record<K, ProcSample>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, ProcSample>);
}

/** The server's RSS growth per connection once `count` callers have each been answered once and sit idle. */
async function idleMemory(side: Side, count: number, progress: Progress): Promise<number | null> {
  progress.show(`vs-mongrel2: ${count} idle connections to ${side.server}...`);
  const before = sampleProcess(side.serverPid);
  const held = await holdIdle(side.dialFor(0), count);
  try {
    const after = sampleProcess(side.serverPid);
    return before === undefined || after === undefined || held.answered === 0 ? null : Math.round((after.rssBytes - before.rssBytes) / held.answered);
  } finally {
    await held.release();
    progress.done();
  }
}
