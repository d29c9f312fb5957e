/** Argument checks for the store's operations: bad arguments are errors worded "Expected X, got Y". */
import type { MailCursor } from './mail-store.js';

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return value === null ? 'null' : typeof value;
}

/** `value` as a string, or a TypeError saying what it was. */
export function checkString(what: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`Expected ${what} to be a string, got ${describe(value)}`);
  return value;
}

/** `value` as a safe integer of at least `min`, or a TypeError/RangeError saying what it was. */
export function checkInteger(what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`Expected ${what} to be an integer, got ${describe(value)}`);
  }
  if (value < min) throw new RangeError(`Expected ${what} to be at least ${min}, got ${value}`);
  return value;
}

/** `value` as a list of mail ids (integers from 1), or an error naming the bad one. */
export function checkIds(value: unknown): readonly number[] {
  if (!Array.isArray(value)) throw new TypeError(`Expected ids to be an array, got ${describe(value)}`);
  for (const id of value) checkInteger('every mail id', id, 1);
  return value as readonly number[];
}

/** `value` as a cursor into an inbox, or an error saying what was wrong. */
export function checkMailCursor(value: unknown): MailCursor {
  if (typeof value !== 'object' || value === null) throw new TypeError(`Expected a mail cursor, got ${describe(value)}`);
  const { unread, createdAt, id } = value as Record<string, unknown>;
  if (typeof unread !== 'boolean') throw new TypeError(`Expected the mail cursor's unread to be a boolean, got ${describe(unread)}`);
  return { unread, createdAt: checkInteger("the mail cursor's createdAt", createdAt, 0), id: checkInteger("the mail cursor's id", id, 1) };
}

/** `value` as a wall name (1 to 40 of a-z, 0-9, _ and -), or an error saying what it was. */
export function checkWall(value: unknown): string {
  const wall = checkString('wall', value);
  if (!/^[a-z0-9_-]{1,40}$/.test(wall)) throw new RangeError(`Expected a wall name of 1 to 40 lowercase letters, digits, _ or -, got ${JSON.stringify(wall)}`);
  return wall;
}
