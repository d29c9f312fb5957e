/**
 * The failover soak's fault: SIGKILL a random backend of the BBS, over and over. Before each
 * kill every backend is up again (the proxy's directory says so, and the supervisor has logged
 * the restarted process), so a moved call always has a number to go to; then a random pause.
 * The victim is drawn from the backends with calls on them: moved calls stay together on the
 * number they moved to, and killing one with nobody on it would test nothing.
 */
import type { Watched } from './proc-stats.js';

/** One kill: when (ms on the bench's clock), which number, which process. */
export interface Kill {
  readonly at: number;
  readonly backend: string;
  readonly pid: number;
  /** From the kill until every backend was up again, in ms (the supervisor's restart included). */
  backAfterMs?: number;
}

export interface KillerOptions {
  readonly kills: number;
  /** The pause before each kill, once all are up, is drawn from 0.5 to 1.5 times this. */
  readonly pauseMs: number;
  readonly httpPort: number;
  /** The BBS's processes now, by name (a restarted backend has a new pid). */
  readonly processes: () => Watched[];
  readonly now: () => number;
  readonly random: () => number;
  /** Stops killing at this time (ms on `now`). */
  readonly deadline: number;
  readonly progress: (done: number) => void;
}

interface DirectoryEntry {
  readonly number: string;
  readonly up: boolean;
  readonly inUse: number;
}

/** Kills backends until `kills` are done or the deadline passes; returns the kills made. */
export async function killBackends(options: KillerOptions): Promise<Kill[]> {
  const kills: Kill[] = [];
  const dead = new Set<number>();
  while (kills.length < options.kills && options.now() < options.deadline) {
    if ((await allUp(options, dead)) === undefined) break;
    const last = kills.at(-1);
    if (last !== undefined) last.backAfterMs = options.now() - last.at;
    await sleep(options.pauseMs * (0.5 + options.random()));
    const live = await allUp(options, dead);
    if (live === undefined) break;
    const busy = live.filter((b) => b.inUse > 0);
    const from = busy.length > 0 ? busy : live;
    const victim = from[Math.floor(options.random() * from.length)] as Watched;
    try {
      process.kill(victim.pid, 'SIGKILL');
    } catch {
      continue;
    }
    dead.add(victim.pid);
    kills.push({ at: options.now(), backend: victim.name, pid: victim.pid });
    options.progress(kills.length);
  }
  return kills;
}

// A backend not back after this long is not coming back (it cannot start: its log says why).
const BACK_WITHIN_MS = 30_000;

/** Waits until every backend is up and running a process not yet killed; undefined past the deadline or BACK_WITHIN_MS. */
async function allUp(options: KillerOptions, dead: ReadonlySet<number>): Promise<(Watched & { inUse: number })[] | undefined> {
  const giveUp = Math.min(options.deadline, options.now() + BACK_WITHIN_MS);
  while (options.now() < giveUp) {
    const backends = options.processes().filter((p) => p.name !== 'proxy');
    const fresh = backends.length > 0 && backends.every((p) => !dead.has(p.pid));
    if (fresh) {
      const numbers = await directory(options.httpPort);
      const up = backends.map((b) => ({ ...b, inUse: numbers?.find((n) => n.number === b.name && n.up)?.inUse ?? -1 }));
      if (up.every((b) => b.inUse >= 0)) return up;
    }
    await sleep(25);
  }
  return undefined;
}

async function directory(port: number): Promise<DirectoryEntry[] | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/directory`);
    return ((await response.json()) as { numbers: DirectoryEntry[] }).numbers;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
