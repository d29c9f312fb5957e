/**
 * The directory (GET /directory, `m2bbs directory`): one entry per number, however many
 * generations it has. A number is up when any generation is, draining when its only generations
 * up are draining; its lines in use are summed over its generations.
 */
import type { BackendLink } from './backend-link.js';
import type { DirectoryEntry } from './line.js';
import type { LinkTable } from './link-table.js';

/** Every number in the table, as the directory shows it. */
export function directoryOf(table: LinkTable): DirectoryEntry[] {
  return table.numbers().map((number) => {
    const generations = table.generations(number);
    const newest = generations[generations.length - 1];
    const current = table.current(number);
    const up = generations.some((link) => link.up);
    const inUse = generations.reduce((sum, link) => sum + table.state(link).inUse, 0);
    const lines = newest?.spec.lines ?? null;
    // Free lines are those new calls can have: on the generation they go to.
    const serving: BackendLink | undefined = current ?? newest;
    const servingInUse = serving === undefined ? 0 : table.state(serving).inUse;
    const heard = Math.max(0, ...generations.map((link) => link.lastHeard));
    return {
      number,
      route: `@${number}`,
      up,
      draining: up && current === undefined,
      generation: table.generationCount(number),
      lines,
      inUse,
      free: lines === null ? null : current === undefined && up ? 0 : Math.max(0, lines - servingInUse),
      lastHeard: heard === 0 ? null : new Date(heard).toISOString(),
    };
  });
}
