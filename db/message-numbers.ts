/** The number a new message gets: one past the highest ever given (migration v15), so no number is given twice. */

/**
 * SQL for the next message number, for `INSERT INTO messages (id, ...) VALUES (<this>, ...)`.
 * The trigger of v15 keeps message_high at or above every id; max() with the table's own is a guard, not a need.
 */
export const NEXT_MESSAGE_ID = '(SELECT max(h.id, coalesce((SELECT max(id) FROM messages), 0)) + 1 FROM message_high h WHERE h.one = 1)';
