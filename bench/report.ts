/** The load run's report: its JSON shape, and the table printed from it. */
import type { BackendBaseline } from './backend-baseline.js';
import { followsTheBbs } from './cpu-per-input.js';
import type { HotFunction } from './cpu-profile.js';
import { fix, int, kindsCell, msCell, row } from './report-cells.js';
import type { Summary } from './samples.js';
import type { SuspendedReport } from './suspended-sessions.js';
import type { ZmqBaseline } from './zmq-baseline.js';

/** Memory and CPU of one process over the run. */
export interface ProcessFigures {
  readonly name: string;
  readonly pid: number;
  /** Before any caller dialled. */
  readonly rssBeforeBytes: number | null;
  /** At the end of the window, callers still on the line. */
  readonly rssBytes: number | null;
  readonly rssPerCallerBytes: number | null;
  /** (RSS at the end - RSS before) / callers on the line. */
  readonly growthPerCallerBytes: number | null;
  /** CPU used over the window, in percent of one core. */
  readonly cpuPercent: number | null;
  /** The same RSS readings each after a full garbage collection (--settle; the idle scenario), and the live JS heap's growth per caller. */
  readonly settled?: { readonly rssBeforeBytes: number; readonly rssBytes: number; readonly growthPerCallerBytes: number; readonly heapGrowthPerCallerBytes: number };
}

export interface LoadReport {
  readonly scenario: string;
  readonly startedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly kernel: string };
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly callers: { readonly dialled: number; readonly reachedMenu: number; readonly endedEarly: number; readonly onLineAtEnd: number };
  readonly window: { readonly seconds: number; readonly inputs: number; readonly answered: number; readonly inputsPerSecond: number; readonly repliesPerSecond: number; readonly cpuMicrosPerInput: number | null };
  readonly roundTripMs: Summary;
  readonly setupMs: Summary;
  readonly loginMs: Summary;
  readonly signUpMs: Summary;
  readonly busySignals: number;
  readonly errors: { readonly total: number; readonly kinds: Record<string, number> };
  readonly processes: readonly ProcessFigures[];
  readonly baselines: { zmq?: ZmqBaseline; backendAlone?: BackendBaseline; scryptHashMs?: number };
  readonly suspended?: SuspendedReport;
  readonly serverProblems: readonly string[];
  readonly profiles: readonly { readonly process: string; readonly file: string; readonly busyPercent: number; readonly functions: readonly HotFunction[] }[];
  readonly rampSeconds: number;
  readonly totalSeconds: number;
  readonly stoppedBy: 'window' | 'deadline';
}

/** The report as a table for people. */
export function formatReport(r: LoadReport): string {
  const out: string[] = [];
  out.push(`m2bbs bench: scenario ${r.scenario}, ${r.startedAt}`);
  out.push(`machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, node ${r.machine.node}, Linux ${r.machine.kernel}`);
  out.push(`settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
  out.push('');
  out.push(row('callers', `${int(r.callers.dialled)} dialled, ${int(r.callers.reachedMenu)} reached the menu, ${int(r.callers.endedEarly)} ended early, ${int(r.callers.onLineAtEnd)} on the line at the end`));
  out.push(row('window', `${fix(r.window.seconds)} s${r.stoppedBy === 'deadline' ? ' (cut short by --max-seconds)' : ''}, dialling took ${fix(r.rampSeconds)} s`));
  out.push(row('inputs answered', `${int(Math.round(r.window.inputsPerSecond))} /s  (${int(r.window.answered)} of ${int(r.window.inputs)} typed)`));
  out.push(row('replies received', `${int(Math.round(r.window.repliesPerSecond))} /s  (screens, prompts, notices)`));
  out.push(row('round trip', msCell(r.roundTripMs)));
  out.push(row('set-up (dial to prompt)', msCell(r.setupMs)));
  out.push(row('login (waits, name to menu)', msCell(r.loginMs)));
  out.push(row('sign-up (waits, name to menu)', msCell(r.signUpMs)));
  out.push(row('busy signals', int(r.busySignals)));
  out.push(row('errors', r.errors.total === 0 ? '0' : `${int(r.errors.total)}: ${kindsCell(r.errors.kinds)}`));
  out.push('');
  out.push('process          pid   RSS before   RSS at end   RSS/caller   growth/caller   CPU');
  for (const p of r.processes) {
    out.push(
      `${p.name.padEnd(12)} ${String(p.pid).padStart(7)} ${kib(p.rssBeforeBytes).padStart(12)} ${kib(p.rssBytes).padStart(12)} ${bytes(p.rssPerCallerBytes).padStart(12)} ${bytes(p.growthPerCallerBytes).padStart(15)} ${p.cpuPercent === null ? '-' : `${p.cpuPercent}%`.padStart(5)}`,
    );
  }
  const settled = r.processes.filter((p) => p.settled !== undefined);
  if (settled.length > 0) {
    out.push(`${r.settings.mallocTrim === true ? 'GC + malloc_trim' : 'after a full GC '}  pid   RSS before   RSS at end  heap/caller   growth/caller`);
    for (const p of settled) out.push(`${p.name.padEnd(12)} ${String(p.pid).padStart(7)} ${kib(p.settled?.rssBeforeBytes ?? null).padStart(12)} ${kib(p.settled?.rssBytes ?? null).padStart(12)} ${bytes(p.settled?.heapGrowthPerCallerBytes ?? null).padStart(12)} ${bytes(p.settled?.growthPerCallerBytes ?? null).padStart(15)}`);
  }
  if (r.window.cpuMicrosPerInput !== null) out.push(row('CPU per input answered', `${int(r.window.cpuMicrosPerInput)} µs (every process above together)`));
  else if (!followsTheBbs(r.processes)) out.push(row('CPU per input answered', '- (no process of the BBS followed: --pid NAME=PID for each)'));
  const { zmq, backendAlone, scryptHashMs } = r.baselines;
  if (zmq !== undefined || backendAlone !== undefined || r.suspended !== undefined) out.push('');
  if (zmq !== undefined) {
    out.push(row(`baseline: raw ZeroMQ (${zmq.transport})`, `one in flight ${msCell(zmq.oneInFlight)}`));
    const cpu = zmq.cpuMicrosPerRoundTrip === null ? '' : `, ${int(zmq.cpuMicrosPerRoundTrip)} µs CPU each`;
    out.push(row('', `${zmq.inFlight} in flight: ${int(Math.round(zmq.messagesPerSecond))} round trips/s${cpu}, ${msCell(zmq.manyInFlight)}`));
  }
  if (backendAlone !== undefined) {
    out.push(row('baseline: backend alone', `${backendAlone.callers} callers: ${int(Math.round(backendAlone.inputsPerSecond))} inputs/s (${int(Math.round(backendAlone.repliesPerSecond))} replies/s, backend CPU ${backendAlone.cpuPercent ?? '-'}%), ${msCell(backendAlone.roundTrip)}, errors ${backendAlone.errors}`));
  }
  if (scryptHashMs !== undefined) out.push(row('baseline: one login', `scrypt N=16384 r=8: ${fix(scryptHashMs)} ms of one core`));
  if (r.suspended !== undefined) {
    out.push(row('heap per suspended conversation', `${int(r.suspended.heapBytesPerSession)} bytes (${int(r.suspended.sessions)} in one backend, in-process)`));
  }
  if (r.serverProblems.length > 0) out.push('', 'the BBS logged:', ...r.serverProblems.map((p) => `  ${p}`));
  for (const profile of r.profiles) {
    out.push('', `profile of ${profile.process} (busy ${fix(profile.busyPercent)}% of the time): ${profile.file}`);
    for (const f of profile.functions) out.push(`  ${fix(f.selfPercent).padStart(5)}%  ${f.name}  ${f.where}`);
  }
  return out.join('\n');
}

function kib(n: number | null): string {
  return n === null ? '-' : `${int(Math.round(n / 1024))} KiB`;
}

function bytes(n: number | null): string {
  return n === null ? '-' : `${int(n)} B`;
}
