/**
 * The connections a backend closed itself, remembered for a short while: lines the caller had
 * already sent when the close went out still arrive, and they belong to no new conversation.
 */

/** How long a closed connection's late lines are dropped, unless its disconnect comes first. */
export const ENDED_CONNECTION_MEMORY_MS = 30_000;
/** The most closed connections remembered at once; the oldest is forgotten first. */
export const MAX_ENDED_CONNECTIONS = 10_000;

/** A bounded, expiring set of connection keys (`uuid connId`) the backend has closed. */
export class EndedConnections {
  // Insertion order is closing order, so the oldest entries are always at the front.
  private readonly closedAt = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly memoryMs = ENDED_CONNECTION_MEMORY_MS,
    private readonly max = MAX_ENDED_CONNECTIONS,
  ) {}

  /** Remembers that the backend closed `key` just now. */
  add(key: string): void {
    this.closedAt.delete(key);
    this.closedAt.set(key, this.now());
    this.prune();
    while (this.closedAt.size > this.max) this.forgetOldest();
  }

  /** True while `key` was closed by the backend recently; an expired entry is forgotten. */
  has(key: string): boolean {
    const at = this.closedAt.get(key);
    if (at === undefined) return false;
    if (this.now() - at < this.memoryMs) return true;
    this.closedAt.delete(key);
    return false;
  }

  /** The connection is gone for good (its disconnect came): its id may start a new call. */
  delete(key: string): void {
    this.closedAt.delete(key);
  }

  /** Forgets every expired entry. */
  prune(): void {
    const at = this.now();
    for (const [key, closed] of this.closedAt) {
      if (at - closed < this.memoryMs) return;
      this.closedAt.delete(key);
    }
  }

  get size(): number {
    return this.closedAt.size;
  }

  private forgetOldest(): void {
    for (const key of this.closedAt.keys()) {
      this.closedAt.delete(key);
      return;
    }
  }
}
