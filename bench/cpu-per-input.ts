import type { ProcessFigures } from './report.js';

/** The name the bench's own process goes by in the report's process table. */
export const BENCH_PROCESS = 'bench';

/** True when the processes followed include one of the BBS, not only the bench itself. */
export function followsTheBbs(processes: readonly Pick<ProcessFigures, 'name'>[]): boolean {
  return processes.some((p) => p.name !== BENCH_PROCESS);
}

/**
 * CPU time of every process followed (the bench too) per input answered, in µs; null when one's
 * CPU is unknown, or when no process of the BBS is followed (a --target without --pid): the
 * bench's own CPU alone says nothing of what an input costs the BBS.
 */
export function cpuMicrosPerInput(processes: readonly Pick<ProcessFigures, 'name' | 'cpuPercent'>[], inputsPerSecond: number): number | null {
  if (inputsPerSecond === 0 || processes.some((p) => p.cpuPercent === null)) return null;
  if (!followsTheBbs(processes)) return null;
  const cores = processes.reduce((sum, p) => sum + (p.cpuPercent ?? 0), 0) / 100;
  return Math.round((cores * 1e6) / inputsPerSecond);
}
