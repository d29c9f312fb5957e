/** The failover soak's report: its JSON shape, the table printed from it, and whether it passed. */
import type { WriteCheck } from './failover-check.js';
import { fix, int, row } from './report-cells.js';
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
  const ms = (s: Summary): string => (s.count === 0 ? 'none' : `p50 ${fix(s.p50)}  p99 ${fix(s.p99)}  max ${fix(s.max)} ms  (${int(s.count)})`);
  const kinds = (k: Readonly<Record<string, number>>): string =>
    Object.entries(k)
      .slice(0, 5)
      .map(([kind, n]) => `${kind} (${int(n)})`)
      .join('; ');
  const out: string[] = [];
  out.push(`m2bbs bench: scenario failover, ${r.startedAt}`);
  out.push(`settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
  out.push('');
  out.push(row('kills (SIGKILL)', `${int(r.kills.made)} of ${int(r.kills.asked)} in ${fix(r.kills.seconds)} s: ${Object.entries(r.kills.byBackend).map(([b, n]) => `${b} ${n}`).join(', ')}`));
  out.push(row('callers', `${int(r.callers.dialled)} dialled, ${int(r.callers.reachedMenu)} reached the menu, ${int(r.callers.callersMoved)} moved (${int(r.callers.moveNotices)} notices)`));
  out.push(row('lost sessions', r.callers.lost === 0 ? '0' : `${int(r.callers.lost)}: ${kinds(r.callers.lostKinds)}`));
  out.push(row('inputs answered', int(r.inputsAnswered)));
  const w = r.writes;
  out.push(row('writes told stored', `${int(w.finished)} (posts and mails); ${int(w.stored)} in the database once, ${int(w.refused)} refused, ${int(w.unfinished)} cut off by the end`));
  out.push(row('lost writes', w.lost === 0 ? '0' : `${int(w.lost)}: ${w.lostTags.slice(0, 5).join(', ')}`));
  out.push(row('doubled writes', w.doubled === 0 ? '0' : `${int(w.doubled)}: ${w.doubledTags.slice(0, 5).join(', ')}`));
  out.push(row('kill to next prompt', ms(r.takeoverMs)));
  out.push(row('kill to backend up again', ms(r.kills.backUpMs)));
  out.push(row('kill to line-moved notice', ms(r.noticeMs)));
  out.push(row('errors', r.errors.total === 0 ? '0' : `${int(r.errors.total)}: ${kinds(r.errors.kinds)}`));
  if (r.serverProblems.length > 0) out.push('', 'the BBS logged:', ...r.serverProblems.map((p) => `  ${p}`));
  const verdict = r.passed
    ? 'PASSED: nothing lost, nothing doubled'
    : r.callers.lost + r.writes.lost + r.writes.doubled > 0
      ? 'FAILED: something was lost or doubled (see above)'
      : `FAILED: only ${r.kills.made} of ${r.kills.asked} kills: a backend was not back within 30 s or the time ran out (see what the BBS logged)`;
  out.push('', verdict);
  return out.join('\n');
}
