/** The chat scenario's report: its JSON shape, the CPU figures, and the table printed from it. */
import type { ChatDeliveries } from './chat-tally.js';
import { BENCH_PROCESS } from './cpu-per-input.js';
import type { HotFunction } from './cpu-profile.js';
import type { MachineSample, ProcSample, Watched } from './proc-stats.js';
import { errorRows, fix, headLines, int, kindsCell, msCell, row } from './report-cells.js';
import type { Summary } from './samples.js';

/** One process's CPU over the window (percent of one core) and its memory at the end. */
export interface ChatProcess {
  readonly name: string;
  readonly pid: number;
  readonly cpuPercent: number | null;
  readonly rssBytes: number | null;
}

/** What the BBS's processes spent over the window, and per line. */
export interface ChatCpu {
  readonly processes: readonly ChatProcess[];
  /** CPU seconds of every process of the BBS (proxy, backends, the supervisor with its bus), the bench left out. */
  readonly bbsCpuSeconds: number | null;
  /** bbsCpuSeconds over the deliveries that arrived in the window, in µs. */
  readonly microsPerDelivery: number | null;
  /** bbsCpuSeconds over the lines said in the window, in µs (each fans out to the room). */
  readonly microsPerLineSaid: number | null;
  /**
   * The whole machine over the window, in percent of one core (200 is two cores flat out), and
   * what of it was neither the BBS nor the bench (other work on the same cores); null off Linux.
   */
  readonly machine: { readonly cores: number; readonly busyPercent: number; readonly othersPercent: number } | null;
}

export interface ChatReport {
  readonly scenario: 'chat';
  readonly startedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly kernel: string };
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly callers: {
    readonly dialled: number;
    readonly reachedMenu: number;
    readonly inRoom: number;
    /** Callers in the room, by the number they dialled. */
    readonly perNumber: Readonly<Record<string, number>>;
    /** Calls the BBS ended (or that closed) before the run did, by why. */
    readonly lost: number;
    readonly lostKinds: Readonly<Record<string, number>>;
    /** From the first dial to everyone in the room. */
    readonly joinSeconds: number;
    /** From then to a probe line having reached everyone (the entry's announcements through); null if it never did. */
    readonly settleSeconds: number | null;
  };
  readonly window: {
    readonly seconds: number;
    readonly linesSaid: number;
    readonly linesPerSecond: number;
    /** The room's callers over the mean pause: what the schedule asks for. */
    readonly plannedLinesPerSecond: number;
    readonly delivered: number;
    readonly deliveriesPerSecond: number;
  };
  readonly deliveries: ChatDeliveries;
  /** From typing a line to another caller's receipt of it, first receipts of measured lines. */
  readonly latencyMs: { readonly count: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** The latency of lines said in each 5 s of the window: rising when the BBS (or the bench) falls behind. */
  readonly latencyBySliceMs: readonly { readonly fromSeconds: number; readonly count: number; readonly p50: number; readonly p99: number; readonly max: number }[];
  /** From typing a line to the speaker's own prompt after it: the speaker's backend stored and published it (part of the above). */
  readonly sayToOwnPromptMs: Summary;
  readonly target: { readonly p99Ms: number; readonly met: boolean };
  readonly cpu: ChatCpu;
  /** The bench's own load: past 85 % of its one core, or with its event loop late by 50 ms at p99, it is `behind` and the latencies include its own delay. */
  readonly bench: { readonly cpuPercent: number | null; readonly loopDelayP99Ms: number; readonly loopDelayMaxMs: number; readonly behind: boolean };
  /** Lines said in the room that never had their prompt (the callers do not wait for it before their next line). */
  readonly unanswered: number;
  readonly drainSeconds: number;
  /** Journal rows written over the window (by the newest row id), per delivery in it, and the database with its WAL at the end. */
  readonly database: { readonly journalRowsInWindow: number | null; readonly journalRowsPerDelivery: number | null; readonly bytesAtEnd: number | null };
  /** Events received by kind (chat, join, leave...), over the whole run. */
  readonly events: Readonly<Record<string, number>>;
  readonly errors: { readonly total: number; readonly kinds: Readonly<Record<string, number>> };
  readonly serverProblems: readonly string[];
  readonly profiles: readonly { readonly process: string; readonly file: string; readonly busyPercent: number; readonly functions: readonly HotFunction[] }[];
  readonly totalSeconds: number;
  readonly stoppedBy: 'window' | 'deadline';
  /** Every caller in the room to the end, every line delivered to every other once, every line answered. */
  readonly passed: boolean;
}

/** CPU of each process over the window, and the BBS's per delivered and per said line. */
export function chatCpu(
  seen: readonly Watched[],
  from: ReadonlyMap<number, ProcSample>,
  to: ReadonlyMap<number, ProcSample>,
  seconds: number,
  delivered: number,
  said: number,
  machineFrom?: MachineSample,
  machineTo?: MachineSample,
): ChatCpu {
  let bbsSeconds: number | null = 0;
  const processes = seen.map(({ name, pid }) => {
    const a = from.get(pid);
    const b = to.get(pid);
    const used = a === undefined || b === undefined ? null : b.cpuSeconds - a.cpuSeconds;
    if (name !== BENCH_PROCESS) bbsSeconds = used === null || bbsSeconds === null ? null : bbsSeconds + used;
    return { name, pid, cpuPercent: used === null || seconds === 0 ? null : Math.round((100 * used) / seconds), rssBytes: b?.rssBytes ?? null };
  });
  const per = (n: number): number | null => (bbsSeconds === null || n === 0 ? null : Math.round((bbsSeconds * 1e6) / n));
  const ours = processes.reduce((sum, p) => sum + (p.cpuPercent ?? 0), 0);
  let machine: ChatCpu['machine'] = null;
  if (machineFrom !== undefined && machineTo !== undefined && seconds > 0) {
    const wall = machineTo.totalSeconds - machineFrom.totalSeconds;
    const busyPercent = Math.round((100 * (machineTo.busySeconds - machineFrom.busySeconds)) / seconds);
    machine = { cores: Math.round(wall / seconds), busyPercent, othersPercent: Math.max(0, busyPercent - ours) };
  }
  return { processes, bbsCpuSeconds: bbsSeconds, microsPerDelivery: per(delivered), microsPerLineSaid: per(said), machine };
}

/** The report as a table for people. */
export function formatChatReport(r: ChatReport): string {
  const out = headLines('chat', r.startedAt, r.settings);
  out.splice(1, 0, `machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, node ${r.machine.node}, Linux ${r.machine.kernel}`);
  const c = r.callers;
  const numbers = Object.entries(c.perNumber).map(([route, n]) => `${int(n)} on ${route}`).join(', ');
  out.push(row('callers', `${int(c.dialled)} dialled, ${int(c.reachedMenu)} reached the menu, ${int(c.inRoom)} in the room (${numbers}); ${c.inRoom === c.dialled ? 'all in' : 'waited'} ${fix(c.joinSeconds)} s from the first dial, settled ${c.settleSeconds === null ? 'NEVER' : `${fix(c.settleSeconds)} s later`}`));
  out.push(row('callers lost', c.lost === 0 ? '0' : `${int(c.lost)}: ${kindsCell(c.lostKinds)}`));
  const w = r.window;
  out.push(row('window', `${fix(w.seconds)} s${r.stoppedBy === 'deadline' ? ' (cut short by --max-seconds)' : ''}`));
  const d = r.deliveries;
  out.push(row('lines said', `${int(w.linesSaid)} (${fix(w.linesPerSecond)} /s, ${fix(w.plannedLinesPerSecond)} /s planned); ${int(d.refused)} refused by the flood limit (the speaker told)`));
  out.push(row('deliveries expected', `${int(d.expected)} (lines said x the ${int(Math.max(0, d.roomSize - 1))} others in the room)`));
  out.push(row('deliveries received', `${int(d.received)}; lost ${int(d.lost)} (not received ${fix(r.drainSeconds)} s after the last line), doubled ${int(d.doubled)}${d.lostExamples.length > 0 ? `; e.g. ${d.lostExamples.join(', ')}` : ''}`));
  if (d.ownEchoes > 0 || d.unknownTags > 0) out.push(row('', `also ${int(d.ownEchoes)} lines sent back to their speaker, ${int(d.unknownTags)} with a tag nobody said`));
  out.push(row('deliveries in the window', `${int(w.delivered)} (${int(Math.round(w.deliveriesPerSecond))} /s)`));
  const l = r.latencyMs;
  out.push(row('say to receipt', l.count === 0 ? 'none' : `p50 ${fix(l.p50)}  p95 ${fix(l.p95)}  p99 ${fix(l.p99)}  max ${fix(l.max)} ms  (${int(l.count)})`));
  for (const s of r.latencyBySliceMs) out.push(row(`  said ${s.fromSeconds} s into the window`, `p50 ${fix(s.p50)}  p99 ${fix(s.p99)}  max ${fix(s.max)} ms  (${int(s.count)})`));
  out.push(row("  the speaker's own prompt", `${msCell(r.sayToOwnPromptMs)}: its line stored and published`));
  out.push(row('target p99 < 100 ms', r.target.met ? 'met' : 'MISSED'));
  const cpu = r.cpu;
  out.push(row('CPU per delivered line', cpu.microsPerDelivery === null ? '?' : `${int(cpu.microsPerDelivery)} µs (all BBS processes; ${cpu.microsPerLineSaid === null ? '?' : int(cpu.microsPerLineSaid)} µs per line said)`));
  for (const p of cpu.processes) out.push(row(`  ${p.name}`, `CPU ${p.cpuPercent === null ? '?' : `${p.cpuPercent} %`} of a core, RSS ${p.rssBytes === null ? '?' : `${fix(p.rssBytes / 2 ** 20)} MiB`}`));
  const m = cpu.machine;
  if (m !== null) out.push(row('the machine', `${m.busyPercent} % busy of ${m.cores * 100} % (${m.cores} cores); other work than the BBS and the bench: ${m.othersPercent} %${m.othersPercent >= 20 ? ' (NOT a quiet machine: figures are lower than the BBS can do alone)' : ''}`));
  const b = r.bench;
  const load = `its CPU ${b.cpuPercent === null ? '?' : `${b.cpuPercent} %`} of its one core, event loop late p99 ${fix(b.loopDelayP99Ms)} ms, max ${fix(b.loopDelayMaxMs)} ms`;
  out.push(row('the bench itself', b.behind ? `BEHIND: ${load}; the latencies include its own delay` : `kept up: ${load}`));
  const db = r.database;
  out.push(row('journal', `${db.journalRowsInWindow === null ? '?' : int(db.journalRowsInWindow)} rows written in the window (${db.journalRowsPerDelivery === null ? '?' : db.journalRowsPerDelivery.toFixed(2)} per delivery); database and WAL ${db.bytesAtEnd === null ? '?' : `${fix(db.bytesAtEnd / 2 ** 20)} MiB`} at the end`));
  out.push(row('lines never answered', `${int(r.unanswered)}${r.drainSeconds > 0 ? ` (last deliveries waited ${fix(r.drainSeconds)} s)` : ''}`));
  out.push(row('events received', Object.keys(r.events).length === 0 ? 'none' : kindsCell(r.events)));
  out.push(...errorRows(r.errors, r.serverProblems));
  for (const p of r.profiles) {
    out.push('', `profile of ${p.process} (busy ${fix(p.busyPercent)} % of the time): ${p.file}`);
    for (const f of p.functions) out.push(`  ${fix(f.selfPercent).padStart(5)} %  ${f.name}  ${f.where}`);
  }
  out.push('', r.passed ? 'PASSED: every caller in the room to the end, every line delivered to every other caller once' : 'FAILED: a caller lost, a delivery lost or doubled, or a line never answered (see above)');
  return out.join('\n');
}
