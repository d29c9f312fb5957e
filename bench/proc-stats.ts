/** Resident memory and CPU time of a process, from Linux's /proc. */
import { readFileSync } from 'node:fs';

/** A process the report follows, by the name it shows. */
export interface Watched {
  readonly name: string;
  readonly pid: number;
}

export interface ProcSample {
  readonly rssBytes: number;
  /** User plus system CPU time, in seconds. */
  readonly cpuSeconds: number;
}

// Linux reports CPU time in clock ticks; USER_HZ is 100 on every architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** Reads a process's RSS and CPU time; undefined when it is gone or /proc is not there. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (rss === null || !Number.isFinite(ticks)) return undefined;
    return { rssBytes: Number(rss[1]) * 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** Samples every process of `watched` that is still there, by pid. */
export function sampleAll(watched: readonly Watched[]): Map<number, ProcSample> {
  const samples = new Map<number, ProcSample>();
  for (const { pid } of watched) {
    const sample = sampleProcess(pid);
    if (sample !== undefined) samples.set(pid, sample);
  }
  return samples;
}

/** The whole machine's CPU time since boot, in seconds of one core: busy (user, system, irq, steal...) and all. */
export interface MachineSample {
  readonly busySeconds: number;
  readonly totalSeconds: number;
}

/** Reads /proc/stat's first line; undefined where there is none. */
export function sampleMachine(): MachineSample | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is in user already)
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return undefined;
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busySeconds: (total - idle) / TICKS_PER_SECOND, totalSeconds: total / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}
