/**
 * Menus as the flows see them: built once per version of `screens/` from `.menu` files and screen
 * headers, shared by every caller, never changed (a reload builds new ones).
 */
import type { Flow } from './effects.js';

/** The built-in actions a menu entry may lead to; `quit` and `back` are the menu's own. */
export const MENU_ACTIONS = ['leave_message', 'read_messages', 'send_mail', 'read_mail', 'quit', 'back'] as const;

export type MenuAction = (typeof MENU_ACTIONS)[number];

/** True when `word` names a built-in action. */
export function isMenuAction(word: string): word is MenuAction {
  return (MENU_ACTIONS as readonly string[]).includes(word);
}

/** Placeholders every screen shown from a menu entry may use; the flow fills only those it uses. */
export const TEXT_PLACEHOLDERS = ['name', 'calls', 'last_call', 'now', 'messages', 'new_mail'] as const;

/** Placeholders a screen that shows a menu may use. */
export const MENU_PLACEHOLDERS = ['name', 'title', 'entries', 'keys'] as const;

/** A flow module's entry point, once loaded and checked (its kit is typed in the module itself). */
export type FlowRun = (kit: never) => Flow<unknown>;

/** Where a menu entry leads. */
export type MenuTarget =
  | { readonly kind: 'screen'; readonly screen: string; readonly uses: readonly string[] }
  | { readonly kind: 'menu'; readonly menu: string }
  | { readonly kind: 'flow'; readonly flow: string; readonly run: FlowRun }
  | { readonly kind: 'action'; readonly action: MenuAction };

/** One line of a menu: its hotkey (upper case), its label, and what choosing it does. */
export interface MenuItem {
  readonly key: string;
  readonly label: string;
  readonly target: MenuTarget;
}

/** A menu in force: what it shows and what each hotkey does. */
export interface Menu {
  readonly name: string;
  readonly title: string;
  /** The screen that shows this menu (`menu` unless the menu file names another). */
  readonly screen: string;
  readonly items: readonly MenuItem[];
  /** The entries as the `{{entries}}` placeholder shows them, one `KEY. Label` a line. */
  readonly entries: string;
  /** The hotkeys as `{{keys}}` shows them: `1, 2, 3, 4 or Q`. */
  readonly keys: string;
  /** The entry a caller's answer (any case, spaces around it ignored) chooses, if any. */
  choose(answer: string): MenuItem | undefined;
}

/** The main menu used when a screens folder has no `main.menu` (folders from before menu files). */
export const BUILT_IN_MAIN_MENU = `title: MAIN MENU
1. Leave a message.        -> leave_message
2. Read messages left.     -> read_messages
3. Send to someone else.   -> send_mail
4. Read messages to you.   -> read_mail
*
Q. Quit the BBS.           -> quit
`;

/** Builds a menu from its resolved items, rendering `{{entries}}` and `{{keys}}` once for everyone. */
export function buildMenu(name: string, title: string, screen: string, items: readonly MenuItem[]): Menu {
  const byKey = new Map(items.map((item) => [item.key, item]));
  const keys = items.map((item) => item.key);
  return Object.freeze({
    name,
    title,
    screen,
    items: Object.freeze([...items]),
    entries: items.map((item) => `${item.key}. ${item.label}`).join('\n'),
    keys: keys.length <= 1 ? keys.join('') : `${keys.slice(0, -1).join(', ')} or ${keys.at(-1) ?? ''}`,
    choose: (answer: string) => byKey.get(answer.trim().toUpperCase()),
  });
}
