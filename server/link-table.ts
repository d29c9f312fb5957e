/**
 * The proxy's backend links as a table: each number has generations in order (oldest first), each
 * generation one link with its own endpoints. New calls for a number go to its newest generation
 * that is up and not draining; a number's older generations serve the calls they hold until those
 * are handed off or the link is removed.
 */
import type { BackendLink } from './backend-link.js';
import type { LinkState } from './call-state.js';
import { dialOrder } from './dial-order.js';

export class LinkTable {
  private readonly byNumber = new Map<string, BackendLink[]>();
  private readonly states = new Map<BackendLink, LinkState>();
  // Generations a number has had, removed ones included (what the directory shows).
  private readonly counts = new Map<string, number>();

  constructor(links: readonly BackendLink[] = []) {
    for (const link of links) this.add(link);
  }

  /** Adds `link` as its number's newest generation. */
  add(link: BackendLink): void {
    const number = link.spec.number;
    const generations = this.byNumber.get(number) ?? [];
    generations.push(link);
    this.byNumber.set(number, generations);
    this.states.set(link, { inUse: 0, knownFull: false, draining: false, waitLogged: false });
    this.counts.set(number, (this.counts.get(number) ?? 0) + 1);
  }

  /** Drops `link` from its number, and the number with its last link. */
  remove(link: BackendLink): void {
    const generations = this.byNumber.get(link.spec.number);
    if (generations === undefined) return;
    const at = generations.indexOf(link);
    if (at >= 0) generations.splice(at, 1);
    // Its last link gone: the number is no longer listed or dialled (drained numbers keep theirs).
    if (generations.length === 0) this.byNumber.delete(link.spec.number);
    this.states.delete(link);
  }

  has(link: BackendLink): boolean {
    return this.states.has(link);
  }

  /** The link's load and draining flag (a removed link's last state, or a fresh one). */
  state(link: BackendLink): LinkState {
    return this.states.get(link) ?? { inUse: 0, knownFull: false, draining: true, waitLogged: true };
  }

  /** True when the table has the number `route` names (`@bbs.10`). */
  knows(route: string): boolean {
    return route.startsWith('@') && this.byNumber.has(route.slice(1));
  }

  numbers(): string[] {
    return [...this.byNumber.keys()];
  }

  /** The number's generations now, oldest first. */
  generations(number: string): readonly BackendLink[] {
    return this.byNumber.get(number) ?? [];
  }

  /** How many generations the number has had (1 at start). */
  generationCount(number: string): number {
    return this.counts.get(number) ?? 0;
  }

  /** The number's newest generation that is up and not draining: where its new calls go. */
  current(number: string): BackendLink | undefined {
    const generations = this.generations(number);
    for (let i = generations.length - 1; i >= 0; i--) {
      const link = generations[i] as BackendLink;
      if (link.up && !this.state(link).draining) return link;
    }
    return undefined;
  }

  /** True while the number has a generation that is not draining (up or down: a down one may come back). */
  staying(number: string): boolean {
    return this.generations(number).some((link) => !this.state(link).draining);
  }

  /** Each number's current generation (see current()), for dialling. */
  currentLinks(): BackendLink[] {
    const links: BackendLink[] = [];
    for (const number of this.byNumber.keys()) {
      const link = this.current(number);
      if (link !== undefined) links.push(link);
    }
    return links;
  }

  /** `links` in the order `@bbs` tries them (dial-order.ts), by their loads here. */
  inDialOrder(links: readonly BackendLink[], random: () => number): BackendLink[] {
    return dialOrder(links.map((link) => ({ link, up: link.up, lines: link.spec.lines, ...this.state(link) })), random).map((load) => load.link);
  }

  /** True while some link is draining (asked whenever a line frees: no array made). */
  anyDraining(): boolean {
    for (const state of this.states.values()) if (state.draining) return true;
    return false;
  }

  /** Every link, all generations. */
  all(): BackendLink[] {
    return [...this.states.keys()];
  }

  /** The link whose send spec (as bound) is `sendSpec`. */
  bySendSpec(sendSpec: string): BackendLink | undefined {
    return this.all().find((link) => link.bound.sendSpec === sendSpec);
  }
}
