/** The upgrade scenario's report: its JSON shape, and the table printed from it. */
import type { WriteCheck } from './failover-check.js';
import { errorRows, fix, headLines, int, kindsCell, msCell, row, writeRows } from './report-cells.js';
import type { Summary } from './samples.js';
import type { SharedRun } from './shared-send-spec.js';
import type { UpgradeOutcome } from './upgrade-trigger.js';

/** The rolling upgrade under callers. */
export interface RollingUpgrade {
  readonly callers: {
    readonly dialled: number;
    readonly reachedMenu: number;
    /** Lines closed, NO CARRIER or another exit, or never answered: each caller once. */
    readonly dropped: number;
    readonly droppedKinds: Readonly<Record<string, number>>;
    /** `-- line moved --` notices seen, and callers who saw at least one. */
    readonly moveNotices: number;
    readonly callersMoved: number;
  };
  readonly inputs: {
    readonly answered: number;
    /** Lines still waiting for an answer at the end (lost). */
    readonly unanswered: number;
    /** Prompts no line was waiting for, or acknowledging another input than the last typed (doubled). */
    readonly answeredTwice: number;
    readonly unexpectedKinds: Readonly<Record<string, number>>;
  };
  readonly writes: WriteCheck;
  /** Round trip of an input whose answer came after a `-- line moved --` notice that came after it was typed. */
  readonly movedRoundTripMs: Summary;
  /** Round trip of every other input typed and answered while the upgrade ran. */
  readonly otherRoundTripMs: Summary;
  /** Round trip of every input typed and answered in the seconds before the upgrade began. */
  readonly beforeRoundTripMs: Summary;
  readonly upgrade: UpgradeOutcome;
  readonly errors: { readonly total: number; readonly kinds: Readonly<Record<string, number>> };
  readonly serverProblems: readonly string[];
}

export interface UpgradeReport {
  readonly scenario: 'upgrade';
  readonly startedAt: string;
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly rolling: RollingUpgrade;
  /** One run per --shared-handlers count. */
  readonly shared: readonly SharedRun[];
  /** Why the shared-send_spec runs were not made, when they were not. */
  readonly sharedSkipped: string | null;
  readonly totalSeconds: number;
  /** Nobody dropped, nothing lost or doubled (in the upgrade and behind Mongrel2), every backend upgraded. */
  readonly passed: boolean;
}

/** The report as a table for people. */
export function formatUpgradeReport(report: UpgradeReport): string {
  const r = report.rolling;
  const out: string[] = headLines('upgrade', report.startedAt, report.settings);
  const u = r.upgrade;
  out.push(row('upgrade', `${u.done ? 'done' : 'NOT DONE'} by ${u.trigger} in ${fix(u.seconds)} s${u.problems.length > 0 ? `: ${u.problems.slice(0, 3).join('; ')}` : ''}`));
  for (const b of u.backends) out.push(row(`  ${b.backend}`, `${b.ms === null ? '?' : int(Math.round(b.ms))} ms; its old process says ${b.moved ?? '?'} moved, ${b.left ?? '?'} left`));
  const said = u.backends.reduce((sum, b) => sum + (b.moved ?? 0), 0);
  out.push(row('  moved in all', `the old processes say ${int(said)}; callers saw ${int(r.callers.moveNotices)} move notices`));
  out.push(row('callers', `${int(r.callers.dialled)} dialled, ${int(r.callers.reachedMenu)} reached the menu, ${int(r.callers.callersMoved)} moved (${int(r.callers.moveNotices)} notices)`));
  out.push(row('callers dropped', r.callers.dropped === 0 ? '0' : `${int(r.callers.dropped)}: ${kindsCell(r.callers.droppedKinds)}`));
  out.push(row('inputs answered', int(r.inputs.answered)));
  out.push(row('inputs lost (never answered)', int(r.inputs.unanswered)));
  out.push(row('inputs answered twice', r.inputs.answeredTwice === 0 ? '0' : `${int(r.inputs.answeredTwice)}: ${kindsCell(r.inputs.unexpectedKinds)}`));
  out.push(...writeRows(r.writes));
  out.push(row('round trip, input moved', msCell(r.movedRoundTripMs)));
  out.push(row('round trip, others meanwhile', msCell(r.otherRoundTripMs)));
  out.push(row('round trip, before the upgrade', msCell(r.beforeRoundTripMs)));
  out.push(...errorRows(r.errors, r.serverProblems));
  out.push('', 'handlers on one Mongrel2 send_spec:');
  if (report.sharedSkipped !== null) out.push(`  not run: ${report.sharedSkipped}`);
  else if (report.shared.length === 0) out.push('  not asked for (--shared-handlers none)');
  for (const s of report.shared) {
    const broken = [...s.writes.lostTags, ...s.writes.doubledTags].slice(0, 3);
    out.push(row(`  ${s.handlers} handler${s.handlers === 1 ? '' : 's'}`, `${int(Math.round(s.inputsPerSecond))} inputs/s, ${s.takeoversPerInput.toFixed(3)} takeovers per input (${int(s.windowTakeovers)} of ${int(s.windowInputs)}), round trip ${msCell(s.roundTripMs)}, handlers' CPU ${s.handlerCpuMicrosPerInput === null ? '?' : int(Math.round(s.handlerCpuMicrosPerInput))} µs per input`));
    out.push(row('', `${int(s.reachedMenu)} of ${int(s.callers)} callers reached the menu, ${int(s.dropped)} dropped${s.dropped > 0 ? ` (${kindsCell(s.droppedKinds)})` : ''}, writes lost ${int(s.writes.lost)} doubled ${int(s.writes.doubled)}${broken.length > 0 ? ` (${broken.join(', ')})` : ''}, unexpected answers ${int(s.unexpectedAnswers)}, lines sent again ${int(s.resent)}`));
  }
  out.push('', report.passed ? 'PASSED: nobody dropped, nothing lost, nothing doubled' : 'FAILED: a caller dropped, something lost or doubled (in the upgrade or behind Mongrel2), the upgrade did not finish, or a Mongrel2 run could not be made (see above)');
  return out.join('\n');
}
