/** Choosing the next number to dial from the proxy's directory, after a busy one. */
import type { DirectoryEntry } from '../server/line.js';
import { anyFreeLine, type ChooseNextNumber } from './next-number.js';

/**
 * Asks the proxy at `host:port` for its directory and picks, at random, a number that is up,
 * has a free line and was not tried on this call; falls back to any free line (`@bbs`) when
 * the directory cannot be read or offers nothing.
 */
export function fromDirectory(host: string, port: number, random: () => number = Math.random): ChooseNextNumber {
  return async (call) => {
    try {
      const response = await fetch(`http://${host}:${port}/directory`, { signal: AbortSignal.timeout(2000) });
      const { numbers } = (await response.json()) as { numbers: DirectoryEntry[] };
      const open = numbers.filter((n) => n.up && (n.free === null || n.free > 0) && !call.tried.includes(n.route));
      const pick = open[Math.floor(random() * open.length)];
      if (pick !== undefined) return pick.route;
    } catch {
      // A Mongrel2 server has no directory; any free line is the next best thing.
    }
    return anyFreeLine(call);
  };
}
