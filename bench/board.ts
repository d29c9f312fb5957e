/**
 * Long messages on the board, put in the database before the BBS opens it, so that every page a
 * caller asks for is as large as the conversation allows: what a non-reading caller is sent.
 */
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { DEFAULT_LIMITS } from '../handler/limits.js';

/** How many messages the non-reading scenario puts on the board; pages of DEFAULT_LIMITS.pageSize. */
export const BOARD_MESSAGES = 100;

/** Posts `count` messages of the longest allowed body as `author` (an account already in `db`). */
export function seedBoard(db: string, author: string, count = BOARD_MESSAGES): void {
  const store = createStore(openDatabase(db));
  try {
    const caller = store.findCaller(author);
    if (caller === undefined) throw new RangeError(`Expected a seeded account, got "${author}"`);
    const now = Date.now();
    for (let i = 0; i < count; i++) store.postMessage(caller.id, longBody(i), now);
  } finally {
    store.close();
  }
}

/** A body of DEFAULT_LIMITS.maxLines lines, each DEFAULT_LIMITS.maxLineLength characters of words. */
function longBody(index: number): string {
  const words = `message ${index} of the board, long enough that a page of them weighs what the BBS allows. `;
  const line = words.repeat(Math.ceil(DEFAULT_LIMITS.maxLineLength / words.length)).slice(0, DEFAULT_LIMITS.maxLineLength);
  return Array.from({ length: DEFAULT_LIMITS.maxLines }, () => line).join('\n');
}

/**
 * The lines a blind reader types, over and over: the menu key, then Enter for each further page
 * and once more at the end of the area (which asks, R replying), back to the menu.
 */
export function boardReadCycle(count = BOARD_MESSAGES): string[] {
  const pages = Math.ceil(count / DEFAULT_LIMITS.pageSize);
  return ['2', ...Array.from({ length: pages }, () => '')];
}
