/**
 * Keeps the database's message areas what the screens folder in force says: at start-up and at
 * each reload. Every backend does it; the result is the same whichever runs it, or runs it twice.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { AreaDef } from '../db/areas-store.js';
import type { Store } from '../db/store.js';
import { isWriteFailure } from '../db/write-failure.js';
import { logWriteFailure } from './write-failure-log.js';

/**
 * Reconciles `areas` into the store, logging what changed; a failure is logged and the table
 * stays as it was. A refused rename is said once per backend (`told` remembers it), not at every reload.
 */
export function syncAreas(store: Store, areas: readonly AreaDef[], log: Logger, told: Set<string> = new Set()): void {
  try {
    const changes = store.areas.reconcile(areas);
    const { added, renamed, archived, restored, refused } = changes;
    if (added.length + renamed.length + archived.length + restored.length > 0) log.info('areas changed', { added, renamed, archived, restored });
    // Two areas would become one: never done, as it cannot be undone; the old one stays in force
    // and the sysop is told what to do about it.
    const untold = refused.filter((rename) => !told.has(rename));
    for (const rename of untold) told.add(rename);
    if (untold.length > 0) log.warn('area renames not made: both names have an area already', { renames: untold, todo: untold.map(whatToDo) });
  } catch (error) {
    if (isWriteFailure(error)) logWriteFailure(log, store, 'reconcileAreas', {}, error);
    else log.error('areas not reconciled', { error: describeError(error) });
  }
}

// What the sysop can do about a refused rename `old -> new`, in the file's own words.
function whatToDo(rename: string): string {
  const [from = '', to = ''] = rename.split(' -> ');
  return `${from} stays as it is: remove "(was ${from})" from ${to}'s line, or rename the other ${to} first (e.g. "${to}-old: Old title (was ${to})")`;
}
