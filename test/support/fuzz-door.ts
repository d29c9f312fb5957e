/**
 * One door's fuzz, as every fuzz test runs it: a scripted caller signs up, posts and reads back
 * while the fuzz runs; afterwards a fresh caller logs in as that caller.
 */
import { logInAndQuit, signUpPostReadQuit, Transcript, type CallerLine } from './fuzz-caller.js';

/** What happened, for the test to assert on; every failure is already worded for a person. */
export interface DoorFuzzOutcome<S> {
  readonly stats: S;
  /** Why the scripted caller's call failed, with its transcript; undefined when it went through. */
  readonly scriptFailure: string | undefined;
  /** Why a fresh caller could not log in after the fuzz; undefined when it could. */
  readonly loginFailure: string | undefined;
}

export interface DoorFuzzOptions<S> {
  readonly seed: number;
  /** Opens a scripted caller's line through the proper door; called twice. */
  readonly openLine: () => Promise<CallerLine>;
  readonly fuzz: () => Promise<S>;
}

const PASSWORD = 'fuzz-password';

/** Runs the fuzz with the scripted caller alongside, then the fresh login. */
export async function fuzzAlongsideCaller<S>(options: DoorFuzzOptions<S>): Promise<DoorFuzzOutcome<S>> {
  const name = `fz${options.seed.toString(36)}`;
  const message = `Posted while the fuzz ran, seed ${options.seed}.`;
  const script = new Transcript();
  // Opening a line fails too when a process is down; that is a failure to report, not to throw.
  const line = await options.openLine().catch((error: unknown) => error as Error);
  const scripted =
    line instanceof Error
      ? Promise.resolve(`could not open a line before the fuzz: ${describe(line)}`)
      : signUpPostReadQuit(line, name, PASSWORD, message, script).then(
          () => undefined,
          (error: unknown) => `${describe(error)}\n${script.toString()}`,
        );
  let stats: S;
  try {
    stats = await options.fuzz();
  } finally {
    // The script has its own deadlines; waiting for it here keeps a failure's transcript whole.
    await scripted;
    if (!(line instanceof Error)) line.hangUp();
  }
  const scriptFailure = await scripted;
  if (scriptFailure !== undefined) return { stats, scriptFailure, loginFailure: 'not tried: the scripted caller never signed up' };
  const fresh = new Transcript();
  let again: CallerLine | undefined;
  const loginFailure = await options
    .openLine()
    .then((opened) => logInAndQuit((again = opened), name, PASSWORD, fresh))
    .then(
      () => undefined,
      (error: unknown) => `${describe(error)}\n${fresh.toString()}`,
    );
  (again as CallerLine | undefined)?.hangUp();
  return { stats, scriptFailure, loginFailure };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
