/**
 * Menus as the flows see them: built once per version of `screens/` from `.menu` files and screen
 * headers, shared by every caller, never changed (a reload builds new ones). A menu is plain data
 * (no functions, no flow code) so that a journal can record which menu a flow was resumed with.
 */

/** The built-in actions a menu entry may lead to; `quit` and `back` are the menu's own. */
export const MENU_ACTIONS = ['leave_message', 'read_messages', 'new_scan', 'send_mail', 'read_mail', 'chat', 'page', 'answer_page', 'ignore_page', 'do_not_disturb', 'change_password', 'whos_online', 'last_callers', 'quit', 'back'] as const;

export type MenuAction = (typeof MENU_ACTIONS)[number];

/** True when `word` names a built-in action. */
export function isMenuAction(word: string): word is MenuAction {
  return (MENU_ACTIONS as readonly string[]).includes(word);
}

/** Placeholders every screen shown from a menu entry may use; the flow fills only those it uses. */
export const TEXT_PLACEHOLDERS = ['name', 'calls', 'last_call', 'now', 'messages', 'new_mail'] as const;

/** Placeholders a screen that shows a menu may use. */
export const MENU_PLACEHOLDERS = ['name', 'title', 'entries', 'keys'] as const;

/** Where a menu entry leads. */
export type MenuTarget =
  | { readonly kind: 'screen'; readonly screen: string; readonly uses: readonly string[] }
  | { readonly kind: 'menu'; readonly menu: string }
  // Only the flow's name: its code is looked up when the entry is run (the `flow` effect).
  | { readonly kind: 'flow'; readonly flow: string }
  | { readonly kind: 'action'; readonly action: MenuAction };

/** One line of a menu: its hotkey (upper case), its label, and what choosing it does. */
export interface MenuItem {
  readonly key: string;
  readonly label: string;
  readonly target: MenuTarget;
}

/** A menu in force: what it shows and what each hotkey does, as JSON-able data. */
export interface Menu {
  readonly name: string;
  /** The version of the screens folder it was built from (see `ScreenSet.version`). */
  readonly version: string;
  readonly title: string;
  /** The screen that shows this menu (`menu` unless the menu file names another). */
  readonly screen: string;
  readonly items: readonly MenuItem[];
  /** The entries as the `{{entries}}` placeholder shows them, one `KEY. Label` a line. */
  readonly entries: string;
  /** The hotkeys as `{{keys}}` shows them: `1, 2, 3, 4 or Q`. */
  readonly keys: string;
  /** The sysop's help screen for this menu (`NAME.help.txt`, shown at `?` or `H`); without one a help is made from the entries. */
  readonly help?: string;
}

/**
 * The main menu used when a screens folder has no `main.menu` (folders from before menu files):
 * the shipped main.menu's entries, so such a board has every action the shipped one has.
 */
export const BUILT_IN_MAIN_MENU = `title: MAIN MENU
1. Leave a message.               -> leave_message
2. Read messages left.            -> read_messages
N. New messages since last time.  -> new_scan
3. Send to someone else.          -> send_mail
4. Read messages to you.          -> read_mail
W. Who's online.                  -> whos_online
L. Last callers.                  -> last_callers
C. Chat with other callers.       -> chat
P. Page someone.                  -> page
J. Join a caller who paged you.   -> answer_page
X. Ignore a page.                 -> ignore_page
D. Do not disturb (on/off).       -> do_not_disturb
Y. Change your password.          -> change_password
*
Q. Quit the BBS.                  -> quit
`;

/** Builds a menu from its resolved items, rendering `{{entries}}` and `{{keys}}` once for everyone. */
export function buildMenu(name: string, title: string, screen: string, items: readonly MenuItem[], version = '', help?: string): Menu {
  const keys = items.map((item) => item.key);
  return Object.freeze({
    name,
    version,
    title,
    screen,
    items: Object.freeze([...items]),
    entries: items.map((item) => `${item.key}. ${item.label}`).join('\n'),
    keys: keys.length <= 1 ? keys.join('') : `${keys.slice(0, -1).join(', ')} or ${keys.at(-1) ?? ''}`,
    ...(help === undefined ? {} : { help }),
  });
}

/** The same menu stamped with the version of the screens folder it belongs to. */
export function withVersion(menu: Menu, version: string): Menu {
  return Object.freeze({ ...menu, version });
}

/** The screen name of menu `menu`'s help file (`main.help.txt` is screen `main.help`). */
export function helpScreenOf(menu: string): string {
  return `${menu}.help`;
}

/** True when a caller's answer at `menu` asks for its help: `?`, or `H` unless an entry has that key. */
export function asksForHelp(menu: Menu, answer: string): boolean {
  const key = answer.trim().toUpperCase();
  return key === '?' || (key === 'H' && chooseItem(menu, key) === undefined);
}

/** The entry of `menu` a caller's answer (any case, spaces around it ignored) chooses, if any. */
export function chooseItem(menu: Menu, answer: string): MenuItem | undefined {
  const key = answer.trim().toUpperCase();
  // A handful of entries: a scan costs less than keeping a lookup table on every menu.
  return menu.items.find((item) => item.key === key);
}
