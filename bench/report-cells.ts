/** How the bench's printed reports write a row, a number and the cells several reports share. */
import type { WriteCheck } from './failover-check.js';
import type { Summary } from './samples.js';

/** A label padded to the value column, then the value. */
export function row(label: string, value: string): string {
  return `${label.padEnd(32)} ${value}`;
}

/** A figure with one decimal below 100, none above. */
export function fix(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/** A whole number with thousands separators. */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** A latency summary in one cell: p50, p99 and max in ms, and how many (`none` when empty). */
export function msCell(s: Summary): string {
  return s.count === 0 ? 'none' : `p50 ${fix(s.p50)}  p99 ${fix(s.p99)}  max ${fix(s.max)} ms  (${int(s.count)})`;
}

/** The first five kinds of something and their counts, in one cell. */
export function kindsCell(kinds: Readonly<Record<string, number>>): string {
  return Object.entries(kinds)
    .slice(0, 5)
    .map(([kind, n]) => `${kind} (${int(n)})`)
    .join('; ');
}

/** The first lines of a report: the scenario, when it started, and its settings. */
export function headLines(scenario: string, startedAt: string, settings: Readonly<Record<string, unknown>>): string[] {
  return [`m2bbs bench: scenario ${scenario}, ${startedAt}`, `settings: ${Object.entries(settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`, ''];
}

/** The rows on writes the callers were told were stored: how many, and any lost or doubled. */
export function writeRows(w: WriteCheck): string[] {
  return [
    row('writes told stored', `${int(w.finished)} (posts and mails); ${int(w.stored)} in the database once, ${int(w.refused)} refused, ${int(w.unfinished)} cut off by the end`),
    row('lost writes', w.lost === 0 ? '0' : `${int(w.lost)}: ${w.lostTags.slice(0, 5).join(', ')}`),
    row('doubled writes', w.doubled === 0 ? '0' : `${int(w.doubled)}: ${w.doubledTags.slice(0, 5).join(', ')}`),
  ];
}

/** The callers' errors row, then what the BBS logged as warnings or errors, if anything. */
export function errorRows(errors: { readonly total: number; readonly kinds: Readonly<Record<string, number>> }, serverProblems: readonly string[]): string[] {
  const out = [row('errors', errors.total === 0 ? '0' : `${int(errors.total)}: ${kindsCell(errors.kinds)}`)];
  if (serverProblems.length > 0) out.push('', 'the BBS logged:', ...serverProblems.map((p) => `  ${p}`));
  return out;
}
