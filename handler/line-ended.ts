/**
 * What the engine throws into a flow whose line it ends while the caller is still on it (a hang-up
 * order, the idle limit): a flow that holds something the caller wrote (a message being composed)
 * catches it, shows that back, and throws it on; what it shows goes out with the closing notice,
 * so nothing the caller wrote is lost without their seeing it.
 */

/** The line is being ended under the flow, for `reason` (the screen the caller is shown). */
export class LineEnded extends Error {
  constructor(readonly reason: string) {
    super(`the line is being ended: ${reason}`);
    this.name = 'LineEnded';
  }
}

/** Whether `error` is the engine ending the line (a flow's catch shows its draft, then throws it on). */
export function isLineEnded(error: unknown): error is LineEnded {
  return error instanceof LineEnded;
}

/** The reason of a LineEnded thrown into the flow of a caller who is gone (hung up): nothing it shows reaches them. */
export const LINE_GONE = 'line gone';
