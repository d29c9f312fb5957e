/** Which numbers `@bbs` tries, in which order: free lines first, in random order, then the rest. */

export interface NumberLoad {
  readonly up: boolean;
  /** Lines the number has, undefined when unknown. */
  readonly lines: number | undefined;
  readonly inUse: number;
  /** The number answered busy and no call on it has ended since. */
  readonly knownFull: boolean;
}

/** Orders the numbers worth dialling; numbers that are down are left out. */
export function dialOrder<T extends NumberLoad>(numbers: readonly T[], random: () => number): T[] {
  const up = numbers.filter((n) => n.up);
  return [...shuffle(up.filter(hasFreeLine), random), ...shuffle(up.filter((n) => !hasFreeLine(n)), random)];
}

/** True when the number has a line free as far as the proxy knows: not known full, and fewer calls than lines (or lines unknown). */
export function hasFreeLine(n: Pick<NumberLoad, 'lines' | 'inUse' | 'knownFull'>): boolean {
  return !n.knownFull && (n.lines === undefined || n.inUse < n.lines);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
