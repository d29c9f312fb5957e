/** The failover soak's report: its JSON shape, the table printed from it, and whether it passed. */
import type { WriteCheck } from './failover-check.js';
import { errorRows, fix, headLines, int, kindsCell, msCell, row, writeRows } from './report-cells.js';
import type { Summary } from './samples.js';

export interface FailoverReport {
  readonly scenario: 'failover';
  readonly startedAt: string;
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly kills: {
    readonly made: number;
    readonly asked: number;
    readonly byBackend: Readonly<Record<string, number>>;
    readonly seconds: number;
    /** From a kill until every backend was up again (the supervisor's restart). */
    readonly backUpMs: Summary;
  };
  readonly callers: {
    readonly dialled: number;
    readonly reachedMenu: number;
    /** Lines closed, NO CARRIER or another exit, or never answered: each caller once. */
    readonly lost: number;
    readonly lostKinds: Readonly<Record<string, number>>;
    /** Callers still waiting for an answer when the run ended (counted in `lost`). */
    readonly unanswered: number;
    /** `-- line moved --` notices seen, and callers who saw at least one. */
    readonly moveNotices: number;
    readonly callersMoved: number;
  };
  readonly inputsAnswered: number;
  readonly writes: WriteCheck;
  /** From the SIGKILL to the next prompt, for callers whose line was waiting on an answer then and moved. */
  readonly takeoverMs: Summary;
  /** From the SIGKILL to the `-- line moved --` notice, every caller moved. */
  readonly noticeMs: Summary;
  readonly errors: { readonly total: number; readonly kinds: Readonly<Record<string, number>> };
  readonly serverProblems: readonly string[];
  readonly totalSeconds: number;
  /** Nothing lost and nothing doubled. */
  readonly passed: boolean;
}

/** The report as a table for people. */
export function formatFailoverReport(r: FailoverReport): string {
  const out: string[] = headLines('failover', r.startedAt, r.settings);
  out.push(row('kills (SIGKILL)', `${int(r.kills.made)} of ${int(r.kills.asked)} in ${fix(r.kills.seconds)} s: ${Object.entries(r.kills.byBackend).map(([b, n]) => `${b} ${n}`).join(', ')}`));
  out.push(row('callers', `${int(r.callers.dialled)} dialled, ${int(r.callers.reachedMenu)} reached the menu, ${int(r.callers.callersMoved)} moved (${int(r.callers.moveNotices)} notices)`));
  out.push(row('lost sessions', r.callers.lost === 0 ? '0' : `${int(r.callers.lost)}: ${kindsCell(r.callers.lostKinds)}`));
  out.push(row('inputs answered', int(r.inputsAnswered)));
  out.push(...writeRows(r.writes));
  out.push(row('kill to next prompt', msCell(r.takeoverMs)));
  out.push(row('kill to backend up again', msCell(r.kills.backUpMs)));
  out.push(row('kill to line-moved notice', msCell(r.noticeMs)));
  out.push(...errorRows(r.errors, r.serverProblems));
  const verdict = r.passed
    ? 'PASSED: nothing lost, nothing doubled'
    : r.callers.lost + r.writes.lost + r.writes.doubled > 0
      ? 'FAILED: something was lost or doubled (see above)'
      : `FAILED: only ${r.kills.made} of ${r.kills.asked} kills: a backend was not back within 30 s or the time ran out (see what the BBS logged)`;
  out.push('', verdict);
  return out.join('\n');
}
