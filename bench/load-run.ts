/**
 * Runs a crowd of simulated callers: dials them at a steady rate, waits until each is at the main
 * menu (or gone), measures for a fixed window, and hangs up on them all; never past its deadline.
 */
import { Caller, type CallerPlan, type Dial } from './caller.js';
import type { Progress } from './progress.js';
import { RunStats } from './run-stats.js';
import type { Walk } from './walk.js';

export interface LoadOptions {
  /** Shown in progress lines. */
  readonly label: string;
  readonly callers: number;
  readonly dialFor: (index: number) => Dial;
  readonly walkFor: (index: number) => Walk;
  readonly plan: CallerPlan;
  readonly dialsPerSecond: number;
  readonly windowSeconds: number;
  /** When everything stops, whatever stage it is at (ms on performance.now). */
  readonly deadline: number;
  readonly progress: Progress;
  /** Called as the window closes, callers still on the line (memory is read here); awaited before they hang up. */
  readonly atWindowEnd?: () => unknown;
  /** Called at the start of the window. */
  readonly atWindowStart?: () => void;
}

export interface LoadResult {
  readonly stats: RunStats;
  readonly rampSeconds: number;
  readonly windowSeconds: number;
  /** Callers on the line when the window closed. */
  readonly liveAtEnd: number;
  readonly stoppedBy: 'window' | 'deadline';
}

/** Runs the crowd and returns what it measured. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const stats = new RunStats();
  const callers: Caller[] = [];
  const started = performance.now();
  let stage = 'dialling';
  const ticker = setInterval(() => {
    const { answered, p99 } = stats.takeTick();
    const at = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    options.progress.show(
      `[${options.label} ${at} s] ${stage}: dialled ${stats.dialled}/${options.callers}, on line ${stats.live}, at menu ${stats.atMenu}, ` +
        `${answered} answers/s, p99 ${p99.toFixed(1)} ms, busy ${stats.busy}, errors ${stats.errors}`,
    );
  }, 1000);
  const pastDeadline = (): boolean => performance.now() >= options.deadline;
  try {
    // Dialling: as many callers as the rate allows so far, every 10 ms.
    while (callers.length < options.callers && !pastDeadline()) {
      const due = Math.min(options.callers, Math.ceil(((performance.now() - started) / 1000) * options.dialsPerSecond) + 1);
      while (callers.length < due) {
        const index = callers.length;
        const caller = new Caller(options.walkFor(index), options.plan, stats);
        callers.push(caller);
        caller.dial(options.dialFor(index));
      }
      await sleep(10);
    }
    const rampSeconds = (performance.now() - started) / 1000;
    // Logging in: the window opens once every caller is at the menu or gone, leaving it its time.
    stage = 'logging in';
    const windowMs = options.windowSeconds * 1000;
    while (stats.atMenu + stats.ended < callers.length && performance.now() + windowMs < options.deadline) await sleep(20);
    stage = 'measuring';
    options.atWindowStart?.();
    stats.startWindow();
    const opened = performance.now();
    const closes = Math.min(opened + windowMs, options.deadline);
    while (performance.now() < closes) await sleep(Math.min(50, closes - performance.now()));
    stats.measuring = false;
    const windowSeconds = (performance.now() - opened) / 1000;
    const liveAtEnd = stats.live;
    await options.atWindowEnd?.();
    stage = 'hanging up';
    for (const caller of callers) caller.hangUp();
    const gone = performance.now() + 5000;
    while (stats.live > 0 && performance.now() < gone) await sleep(20);
    return { stats, rampSeconds, windowSeconds, liveAtEnd, stoppedBy: windowSeconds * 1000 < windowMs - 100 ? 'deadline' : 'window' };
  } finally {
    clearInterval(ticker);
    options.progress.done();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
