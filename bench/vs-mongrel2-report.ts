/** The printed report of `--scenario vs-mongrel2`: each figure for both servers over the rounds, and their ratio round by round. */
import { fix, headLines, int, kindsCell } from './report-cells.js';
import type { SideMemory, SideRound, VsPart, VsReport } from './vs-mongrel2-bench.js';

const WHAT: Readonly<Record<VsPart['handler'], string>> = {
  echo: 'the echo handler (a foreign Mongrel2 handler: one request per ZeroMQ message, a constant prompt back)',
  bbs: 'one m2bbs backend (journal on), callers walking the menu (read, post, read, read mail, send mail)',
};

type Figure = (side: SideRound) => number | null;

const FIGURES: readonly { readonly label: string; readonly of: Figure; readonly decimals?: boolean }[] = [
  { label: 'inputs/s answered', of: (s) => s.perSecond },
  { label: 'round trip p50 (ms)', of: (s) => s.roundTripMs.p50, decimals: true },
  { label: 'round trip p99 (ms)', of: (s) => s.roundTripMs.p99, decimals: true },
  { label: 'server CPU per input (µs)', of: (s) => s.serverCpuMicros },
  { label: 'handlers\' CPU per input (µs)', of: (s) => s.handlerCpuMicros },
  { label: "bench's CPU per input (µs)", of: (s) => s.benchCpuMicros },
];

/** The whole report as text. */
export function formatVsReport(report: VsReport): string {
  const lines = headLines(report.scenario, report.startedAt, report.settings);
  for (const part of report.parts) lines.push(...partLines(part), '');
  lines.push(`total ${fix(report.totalSeconds)} s; both servers of each part stopped (Mongrel2 by its pid file)`);
  if (!report.passed) lines.push('CALLERS SAW ERRORS: the rounds marked above are not to be trusted');
  return lines.join('\n');
}

function partLines(part: VsPart): string[] {
  const what = part.handler === 'bbs' && part.backends > 1 ? `${part.backends} m2bbs backends on one database (journal on), each its own number (@bbs.10, @bbs.11...; on Mongrel2 each its own route and send_spec), callers spread over them, walking the menu` : WHAT[part.handler];
  const out = [`Behind both: ${what}`, cells('figure', 'Mongrel2', 'm2bbs proxy', 'm2bbs / Mongrel2')];
  for (const figure of FIGURES) {
    const m2 = part.rounds.map((r) => figure.of(r.mongrel2));
    const ours = part.rounds.map((r) => figure.of(r.m2bbs));
    const ratios = part.rounds.map((r) => ratio(figure.of(r.m2bbs), figure.of(r.mongrel2)));
    const show = (n: number): string => (figure.decimals === true ? n.toFixed(2) : int(Math.round(n)));
    out.push(cells(figure.label, spread(m2, show), spread(ours, show), spread(ratios, (n) => n.toFixed(2))));
  }
  const memory = (server: 'mongrel2' | 'm2bbs'): SideMemory | undefined => part.memory.find((m) => m.server === server);
  const m2Memory = memory('mongrel2');
  const ourMemory = memory('m2bbs');
  if (m2Memory !== undefined && ourMemory !== undefined) {
    const mb = (n: number | null): string => (n === null ? 'n/a' : `${(n / 2 ** 20).toFixed(1)} MiB`);
    out.push(cells('RSS with no caller', mb(m2Memory.rssNoCallerBytes), mb(ourMemory.rssNoCallerBytes), fixRatio(ratio(ourMemory.rssNoCallerBytes, m2Memory.rssNoCallerBytes))));
    if (ourMemory.connections > 0) {
      const kb = (n: number | null): string => (n === null ? 'n/a' : `${(n / 1024).toFixed(1)} KB`);
      out.push(cells(`RSS per idle connection (${int(ourMemory.connections)})`, kb(m2Memory.rssPerConnectionBytes), kb(ourMemory.rssPerConnectionBytes), fixRatio(ratio(ourMemory.rssPerConnectionBytes, m2Memory.rssPerConnectionBytes))));
    }
  }
  out.push('round by round (inputs/s, p50 / p99 ms):');
  part.rounds.forEach((r, i) => out.push(`  ${i + 1}: Mongrel2 ${roundCell(r.mongrel2)}   m2bbs ${roundCell(r.m2bbs)}`));
  return out;
}

function roundCell(side: SideRound): string {
  const errors = side.errors === 0 ? '' : `  ERRORS ${int(side.errors)}: ${kindsCell(side.errorKinds)}`;
  return `${int(Math.round(side.perSecond))}/s, ${side.roundTripMs.p50.toFixed(2)} / ${side.roundTripMs.p99.toFixed(2)} ms${errors}`;
}

function cells(label: string, a: string, b: string, c: string): string {
  return `${label.padEnd(34)} ${a.padEnd(22)} ${b.padEnd(22)} ${c}`;
}

function ratio(ours: number | null, theirs: number | null): number | null {
  return ours === null || theirs === null || theirs === 0 ? null : ours / theirs;
}

function fixRatio(n: number | null): string {
  return n === null ? 'n/a' : n.toFixed(2);
}

/** `min to max` of the values known (one value alone as itself). */
function spread(values: readonly (number | null)[], show: (n: number) => string): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return 'n/a';
  const low = Math.min(...known);
  const high = Math.max(...known);
  return show(low) === show(high) ? show(low) : `${show(low)} to ${show(high)}`;
}
