/** A sysop's hang-up orders (kick, ban, a deleted account) followed until the backends carry them out. */
import type Database from 'better-sqlite3';

/** How long a command waits for the backend holding a line to end it (backends look every 250 ms). */
export const CARRIED_OUT_WITHIN_MS = 5000;
const LOOK_EVERY_MS = 100;

/** The orders of `ids` carried out within CARRIED_OUT_WITHIN_MS (all of them, or those done when the time is up). */
export async function ordersCarriedOut(db: Database.Database, ids: readonly number[]): Promise<Set<number>> {
  const doneOf = db.prepare<[number], number | null>('SELECT done_at FROM hang_up_orders WHERE id = ?').pluck();
  const done = (): Set<number> => new Set(ids.filter((id) => doneOf.get(id) != null));
  const deadline = Date.now() + CARRIED_OUT_WITHIN_MS;
  let now = done();
  while (now.size < ids.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
    now = done();
  }
  return now;
}
