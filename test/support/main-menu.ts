/**
 * The shipped main menu (screens/main.menu) as callers see it, in one place: the tests that
 * expect it exactly read it from here, so a new entry means one edit, not one per test.
 */
import { readFileSync } from 'node:fs';

/** The shipped main menu's entries, one `KEY. Label` a line, in order, the `*` line just before Q. */
export const MAIN_MENU_ENTRIES = [
  '1. Leave a message.',
  '2. Read messages left.',
  'N. New messages since last time.',
  '3. Send to someone else.',
  '4. Read messages to you.',
  "W. Who's online.",
  'L. Last callers.',
  'C. Chat with other callers.',
  'P. Page someone.',
  'J. Join a caller who paged you.',
  'X. Ignore a page.',
  'D. Do not disturb (on/off).',
  'Y. Change your password.',
  'Q. Quit the BBS.',
] as const;

/** The hotkeys of the shipped main menu as `{{keys}}` says them. */
export const MAIN_MENU_KEYS = '1, 2, N, 3, 4, W, L, C, P, J, X, D, Y or Q';

/** The shipped main menu with `added` entries where its `*` line is (just before Q), as `menu.txt` draws it. */
export function mainMenu(...added: readonly string[]): string {
  const entries: string[] = [...MAIN_MENU_ENTRIES];
  entries.splice(entries.length - 1, 0, ...added);
  return `---(((MAIN MENU))---\n${entries.join('\n')}`;
}

/** The shipped main menu as `menu.txt` draws it. */
export const MAIN_MENU = mainMenu();

/** The line number (from 1) of the entry with hotkey `key` in the menu file `file`. */
export function entryLine(file: string, key: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.startsWith(`${key}. `));
  if (index < 0) throw new Error(`Expected an entry ${key}. in ${file}, got none`);
  return index + 1;
}
