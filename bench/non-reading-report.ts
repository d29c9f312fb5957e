/** The non-reading scenario's report: its JSON shape, and the table printed from it. */
import { int, kindsCell, msCell, row } from './report-cells.js';
import type { Summary } from './samples.js';

/** What callers who never read cost the proxy, and what the one reading caller beside them saw. */
export interface NonReadingReport {
  readonly scenario: 'non-reading';
  readonly startedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly kernel: string };
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly nonReaders: {
    readonly dialled: number;
    /** Reached the menu and stopped reading. */
    readonly stoppedReading: number;
    /** Lines they typed after they stopped reading, all together. */
    readonly linesTyped: number;
    /** Their lines closed by the server, seen on the bench's side. */
    readonly closedByServer: number;
    /** Seconds from stopping reading to the close, for each one closed, soonest first. */
    readonly closedAfterSeconds: readonly number[];
    /** How each close showed itself on the bench's side, with counts. */
    readonly closedHow: Readonly<Record<string, number>>;
    readonly onLineAtEnd: number;
  };
  readonly proxy: {
    readonly pid: number | null;
    /** Before any caller dialled. */
    readonly rssBeforeBytes: number | null;
    /** The most seen, sampled every 200 ms from the first dial to the end of the window. */
    readonly rssPeakBytes: number | null;
    /** At the end of the window, the callers still on the line. */
    readonly rssAtEndBytes: number | null;
    /** Once every caller had hung up. */
    readonly rssAfterHangUpBytes: number | null;
    /** (peak - before) / non-reading callers. */
    readonly growthPerNonReaderBytes: number | null;
    /** RSS every 5 s from the start of the window. */
    readonly rssEvery5sBytes: readonly number[];
    /** CPU over the window, in percent of one core. */
    readonly cpuPercent: number | null;
  };
  readonly reader: { readonly reachedMenu: boolean; readonly inputs: number; readonly answered: number; readonly roundTripMs: Summary; readonly endedEarly: boolean };
  readonly errors: { readonly total: number; readonly kinds: Record<string, number> };
  readonly serverProblems: readonly string[];
  readonly windowSeconds: number;
  readonly totalSeconds: number;
  readonly stoppedBy: 'window' | 'deadline';
}

/** The report as a table for people. */
export function formatNonReadingReport(r: NonReadingReport): string {
  const n = r.nonReaders;
  const p = r.proxy;
  const s = r.reader.roundTripMs;
  const closes = n.closedAfterSeconds.length === 0 ? '' : `, after ${n.closedAfterSeconds.map((t) => t.toFixed(1)).join(', ')} s of not reading (${Object.entries(n.closedHow).map(([how, count]) => `${how} x${count}`).join('; ')})`;
  const out = [
    `m2bbs bench: scenario non-reading, ${r.startedAt}`,
    `machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, node ${r.machine.node}, Linux ${r.machine.kernel}`,
    `settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`,
    '',
    row('non-reading callers', `${n.dialled} dialled, ${n.stoppedReading} stopped reading at the menu, ${int(n.linesTyped)} lines typed after that`),
    row('closed by the proxy', `${n.closedByServer}${closes}`),
    row('on the line at the end', String(n.onLineAtEnd)),
    row('window', `${r.windowSeconds.toFixed(1)} s${r.stoppedBy === 'deadline' ? ' (cut short by --max-seconds)' : ''}`),
    '',
    row('proxy RSS before', mib(p.rssBeforeBytes)),
    row('proxy RSS peak', mib(p.rssPeakBytes)),
    row('proxy RSS at the end', mib(p.rssAtEndBytes)),
    row('proxy RSS after hang-up', mib(p.rssAfterHangUpBytes)),
    row('growth per non-reader', p.growthPerNonReaderBytes === null ? '-' : `${int(Math.round(p.growthPerNonReaderBytes / 1024))} KiB (peak - before) / ${n.dialled}`),
    row('proxy RSS every 5 s', p.rssEvery5sBytes.map((b) => (b / 2 ** 20).toFixed(0)).join(' ') + ' MiB'),
    row('proxy CPU', p.cpuPercent === null ? '-' : `${p.cpuPercent}%`),
    '',
    row('reading caller', `${r.reader.reachedMenu ? 'at the menu' : 'never reached the menu'}${r.reader.endedEarly ? ', line ended early' : ''}; ${int(r.reader.answered)} of ${int(r.reader.inputs)} lines answered in the window`),
    row('its round trip', msCell(s)),
    row('errors', r.errors.total === 0 ? '0' : `${int(r.errors.total)}: ${kindsCell(r.errors.kinds)}`),
  ];
  if (r.serverProblems.length > 0) out.push('', 'the BBS logged:', ...r.serverProblems.map((line) => `  ${line}`));
  return out.join('\n');
}

function mib(n: number | null): string {
  return n === null ? '-' : `${(n / 2 ** 20).toFixed(1)} MiB`;
}
