/** Which number to redial when the one dialled was busy. */

/** The number that reaches any free line. */
export const ANY_LINE = '@bbs';

/** What a chooser knows when a number was busy. */
export interface BusyCall {
  /** The number that just answered busy. */
  readonly busy: string;
  /** Every number tried on this call so far, the busy one included, in order. */
  readonly tried: readonly string[];
}

/** Picks the next number to dial after a busy one, or undefined to give up; may ask a directory. */
export type ChooseNextNumber = (call: BusyCall) => string | undefined | Promise<string | undefined>;

/** The default chooser: a specific number that was busy is redialled once as any free line. */
export const anyFreeLine: ChooseNextNumber = ({ tried }) => (tried.includes(ANY_LINE) ? undefined : ANY_LINE);
