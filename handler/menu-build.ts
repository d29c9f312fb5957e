/** Menus from a screens folder: menu files and screen headers resolved into the menus callers walk. */
import type { LoadedFlow } from './flow-modules.js';
import { buildMenu, helpScreenOf, MENU_PLACEHOLDERS, TEXT_PLACEHOLDERS, type Menu, type MenuItem, type MenuTarget } from './menu.js';
import type { MenuFile, MenuLine } from './menu-file.js';
import { SCREEN_NAMES } from './screen-catalog.js';
import type { ScreenFile } from './screen-file.js';
import type { ScreenProblem } from './screen-markup.js';
import type { ScreenFolder } from './screen-set.js';

/**
 * Builds every menu of the folder: its own entries, with those that screen headers and other
 * menus add at its `*` line, each target checked against the folder. `addRole` is told how each
 * screen will be shown, so that its placeholders can be checked.
 */
export function buildMenus(
  folder: ScreenFolder,
  flows: ReadonlyMap<string, LoadedFlow> | undefined,
  addRole: (screen: string, allowed: readonly string[]) => void,
  problems: ScreenProblem[],
): Map<string, Menu> {
  const { screens, menus } = folder;
  const attached = attachedEntries(screens, menus, problems);
  const built = new Map<string, Menu>();
  for (const menuFile of menus.values()) {
    const items: MenuItem[] = [];
    const taken = new Map<string, MenuLine>();
    const extra = attached.get(menuFile.name) ?? [];
    const lines = menuFile.lines.includes('*') ? menuFile.lines.flatMap((line) => (line === '*' ? extra : [line])) : [...menuFile.lines, ...extra];
    for (const line of lines) {
      if (line === '*') continue;
      const first = taken.get(line.key);
      if (first !== undefined) {
        problems.push({ file: line.file, line: line.line, message: `hotkey ${line.key} is already taken on menu ${menuFile.name} (${first.file}:${first.line})` });
        continue;
      }
      taken.set(line.key, line);
      const target = resolveTarget(line, folder, flows, problems);
      if (target === undefined) continue;
      // Screens with a header are checked as menu screens already, whether their entry is taken or not.
      if (target.kind === 'screen' && screens.get(target.screen)?.placement === undefined) addRole(target.screen, TEXT_PLACEHOLDERS);
      items.push({ key: line.key, label: line.label, target });
    }
    const screen = menuFile.screen?.name ?? 'menu';
    if (screens.has(screen)) addRole(screen, MENU_PLACEHOLDERS);
    // A missing built-in screen is reported as missing already.
    else if (!(SCREEN_NAMES as readonly string[]).includes(screen)) problems.push({ file: menuFile.file, line: menuFile.screen?.line, message: `screen: there is no ${screen}.txt to show this menu with` });
    if (lines.length === 0) problems.push({ file: menuFile.file, line: undefined, message: 'the menu has no entries' });
    // `NAME.help.txt`, when the sysop wrote one, is what `?` and `H` show on this menu.
    const help = helpScreenOf(menuFile.name);
    if (screens.has(help)) addRole(help, MENU_PLACEHOLDERS);
    built.set(menuFile.name, buildMenu(menuFile.name, menuFile.title, screen, items, '', screens.has(help) ? help : undefined));
  }
  return built;
}

// Entries that screen headers and menu files' own `menu:`/`key:`/`label:` add to other menus,
// by menu, in hotkey order.
function attachedEntries(screens: ReadonlyMap<string, ScreenFile>, menus: ReadonlyMap<string, MenuFile>, problems: ScreenProblem[]): Map<string, MenuLine[]> {
  const attached = new Map<string, MenuLine[]>();
  const sources = [
    ...[...screens.values()].map((s) => ({ file: s.file, placement: s.placement, target: { kind: 'screen', name: s.name } as const })),
    ...[...menus.values()].map((m) => ({ file: m.file, placement: m.placement, target: { kind: 'menu', name: m.name } as const })),
  ];
  for (const { file, placement, target } of sources) {
    if (placement === undefined) continue;
    if (!menus.has(placement.menu)) {
      problems.push({ file, line: placement.line, message: `menu: there is no menu ${placement.menu} (no ${placement.menu}.menu) to put this on` });
      continue;
    }
    const list = attached.get(placement.menu) ?? [];
    list.push({ key: placement.key, label: placement.label, target, file, line: placement.line });
    attached.set(placement.menu, list);
  }
  for (const list of attached.values()) list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.file < b.file ? -1 : 1));
  return attached;
}

function resolveTarget(line: MenuLine, folder: ScreenFolder, flows: ReadonlyMap<string, LoadedFlow> | undefined, problems: ScreenProblem[]): MenuTarget | undefined {
  const { target } = line;
  const nowhere = (what: string): undefined => {
    problems.push({ file: line.file, line: line.line, message: `entry ${line.key} points nowhere: ${what}` });
    return undefined;
  };
  switch (target.kind) {
    case 'action':
      return target;
    case 'screen': {
      const screen = folder.screens.get(target.name);
      if (screen === undefined) return nowhere(`there is no ${target.name}.txt`);
      return { kind: 'screen', screen: target.name, uses: [...new Set(screen.placeholders.map((p) => p.key))] };
    }
    case 'menu':
      return folder.menus.has(target.name) ? { kind: 'menu', menu: target.name } : nowhere(`there is no ${target.name}.menu`);
    case 'flow': {
      const flow = flows?.get(target.name);
      if (flow !== undefined) return { kind: 'flow', flow: target.name };
      if (!folder.flowFiles.some((f) => f.name === target.name)) return nowhere(`there is no flows/${target.name}.ts`);
      if (flows === undefined) return nowhere(`flows/${target.name} is loaded only by m2bbs handler and m2bbs screens check`);
      return nowhere(`flows/${target.name} did not load`);
    }
  }
}
