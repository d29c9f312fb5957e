/**
 * A screens folder as one version: every screen text, every menu with its entries resolved, and
 * the flow modules. It is built whole or not at all, so a broken file never half-applies.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SHIPPED_SCREENS } from './config.js';
import type { Vars } from './effects.js';
import type { FlowFile, LoadedFlow } from './flow-modules.js';
import { lineOf } from './flow-modules.js';
import { BUILT_IN_MAIN_MENU, TEXT_PLACEHOLDERS, withVersion, type Menu } from './menu.js';
import { buildMenus } from './menu-build.js';
import { parseMenuFile, type MenuFile } from './menu-file.js';
import type { AreaDef } from '../db/areas-store.js';
import { readAreasFile } from './areas-file.js';
import { SCREEN_CATALOG, SCREEN_NAMES } from './screen-catalog.js';
import type { FlowModule } from './screen-flow.js';
import { FILE_NAME, parseScreenFile, type ScreenFile } from './screen-file.js';
import { parseAnsiScreen } from './ansi-screen.js';
import { fillPlaceholders, type ScreenProblem } from './screen-markup.js';
import { wrapText } from './text-wrap.js';
import { HANGING_SCREENS, wrapHanging } from './hanging-wrap.js';

/** What the engine needs of the screens in force: texts to render and menus to offer. */
export interface Screens {
  /**
   * A screen's text with its placeholders filled, word-wrapped to `columns` when given (the
   * caller's width); throws for a screen the folder does not have.
   */
  render(name: string, vars: Vars | undefined, columns?: number): string;
  /** The menu called `name` (data, stamped with the version), or undefined when there is none. */
  menu(name: string): Menu | undefined;
  /** The entry point of the flow module called `name`, or undefined when there is none. */
  flow(name: string): FlowModule['run'] | undefined;
  /** The version of these screens (see ScreenSet), when known. */
  readonly version?: string;
  /** A hash of the source of the flow module called `name`: a journal records which code ran. */
  flowVersion?(name: string): string | undefined;
}

/** One complete, checked version of a screens folder. */
export interface ScreenSet extends Screens {
  readonly dir: string;
  /**
   * A hash of what callers are served (texts, menus, flow sources): the same folder contents give
   * the same version on any backend and after a restart, so a journal can compare it.
   */
  readonly version: string;
  readonly menuNames: readonly string[];
  readonly screenNames: readonly string[];
  readonly flowNames: readonly string[];
  /** The message areas of `areas.conf`, in order (reconciled into the database at each load). */
  readonly areas: readonly AreaDef[];
}

/** A folder's files, each read and checked on its own. */
export interface ScreenFolder {
  readonly dir: string;
  readonly screens: ReadonlyMap<string, ScreenFile>;
  readonly menus: ReadonlyMap<string, MenuFile>;
  readonly flowFiles: readonly FlowFile[];
  readonly areas: readonly AreaDef[];
  readonly problems: readonly ScreenProblem[];
  readonly notes: readonly string[];
}

/** The outcome of checking a folder: the set when nothing is wrong, and everything found. */
export interface ScreenSetResult {
  readonly set: ScreenSet | undefined;
  readonly problems: readonly ScreenProblem[];
  readonly notes: readonly string[];
}

/** Reads every `.txt` and `.menu` file of `dir`; flow files are listed by the caller. */
export function readScreenFolder(dir: string, flowFiles: readonly FlowFile[], problems: ScreenProblem[]): ScreenFolder {
  const notes: string[] = [];
  const screens = new Map<string, ScreenFile>();
  const menus = new Map<string, MenuFile>();
  let entries: string[] = [];
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    problems.push({ file: dir, line: undefined, message: `cannot be read (${(error as Error).message})` });
    return { dir, screens, menus, flowFiles, areas: [], problems, notes };
  }
  for (const entry of entries) {
    const kind = entry.endsWith('.txt') ? 'screen' : entry.endsWith('.ans') ? 'art' : entry.endsWith('.menu') ? 'menu' : undefined;
    if (kind === undefined) continue;
    const name = entry.slice(0, entry.lastIndexOf('.'));
    const file = join(dir, entry);
    // `NAME.help.txt` is the help of menu NAME: screen `NAME.help`, a name no other file can have.
    const helpOf = kind !== 'menu' && name.endsWith('.help') ? name.slice(0, -'.help'.length) : undefined;
    if (!FILE_NAME.test(helpOf ?? name)) {
      problems.push({ file, line: undefined, message: `a ${kind === 'menu' ? 'menu' : 'screen'}'s file name may have only lowercase letters, digits, _ and -` });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      problems.push({ file, line: undefined, message: `unreadable (${(error as Error).message})` });
      continue;
    }
    if (kind === 'menu') menus.set(name, parseMenuFile(name, file, bytes.toString('utf8'), problems));
    else if (screens.has(name)) problems.push({ file, line: undefined, message: `${name}.ans and ${name}.txt are the same screen: keep one of them` });
    else screens.set(name, kind === 'art' ? parseAnsiScreen(name, file, bytes, problems) : parseScreenFile(name, file, bytes.toString('utf8'), problems));
  }
  for (const name of SCREEN_NAMES) {
    if (screens.has(name)) continue;
    const file = join(dir, `${name}.txt`);
    // A folder made for an older m2bbs lacks the screens added since: those come from the
    // shipped folder, so an upgrade never stops a board whose sysop has not written them yet.
    const shipped = resolve(dir) === SHIPPED_SCREENS ? undefined : readShippedScreen(name);
    if (shipped === undefined) {
      problems.push({ file, line: undefined, message: 'missing' });
      continue;
    }
    screens.set(name, parseScreenFile(name, shipped.file, shipped.source, problems));
    notes.push(`${file}: not there, so the shipped one is used`);
  }
  if (!menus.has('main')) {
    const file = join(dir, 'main.menu');
    menus.set('main', parseMenuFile('main', `${file} (built in)`, BUILT_IN_MAIN_MENU, problems));
    notes.push(`${file}: not there, so the built-in main menu is used`);
  }
  return { dir, screens, menus, flowFiles, areas: readAreasFile(dir, problems), problems, notes };
}

function readShippedScreen(name: string): { file: string; source: string } | undefined {
  const file = join(SHIPPED_SCREENS, `${name}.txt`);
  try {
    return { file, source: readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
}

/**
 * Resolves menus, entries and placeholders across the folder. `flows` undefined means flow
 * modules were not loaded (a synchronous load): an entry leading to a flow is then a problem.
 */
export function assembleScreenSet(folder: ScreenFolder, flows: ReadonlyMap<string, LoadedFlow> | undefined): ScreenSetResult {
  const problems = [...folder.problems];
  const notes = [...folder.notes];
  const { screens, menus } = folder;
  // Each screen may be shown in several ways; it may use only placeholders every one of them fills.
  const roles = new Map<string, (readonly string[])[]>();
  const addRole = (screen: string, allowed: readonly string[]): void => {
    const list = roles.get(screen);
    if (list === undefined) roles.set(screen, [allowed]);
    else list.push(allowed);
  };
  for (const name of SCREEN_NAMES) addRole(name, SCREEN_CATALOG[name]);
  for (const flow of flows?.values() ?? []) {
    for (const [screen, placeholders] of Object.entries(flow.screens)) {
      if (screens.has(screen)) addRole(screen, placeholders);
      else problems.push({ file: flow.file, line: lineOf(flow.source, new RegExp(`\\b${screen}\\b`)), message: `screen ${screen} has no file ${screen}.txt` });
    }
  }

  // A screen whose header puts it on a menu is checked as one, even when its entry is refused.
  for (const screen of screens.values()) if (screen.placement !== undefined) addRole(screen.name, TEXT_PLACEHOLDERS);
  const built = buildMenus(folder, flows, addRole, problems);

  for (const [name, allowedLists] of roles) {
    const screen = screens.get(name);
    if (screen === undefined) continue;
    const [firstList = [], ...others] = allowedLists;
    const allowed = firstList.filter((key) => others.every((list) => list.includes(key)));
    for (const use of screen.placeholders) {
      if (allowed.includes(use.key)) continue;
      const offer = allowed.length > 0 ? allowed.join(', ') : 'none';
      problems.push({ file: screen.file, line: use.line, message: `unknown placeholder {{${use.key}}} (this screen offers: ${offer})` });
    }
  }
  const troubled = new Set(problems.map((p) => p.file));
  notes.push(...unusedNotes(folder, roles, built, flows).filter((note) => !troubled.has(note.slice(0, note.indexOf(': ')))));
  if (problems.length > 0) return { set: undefined, problems, notes };

  const texts = new Map([...screens.values()].map((screen) => [screen.name, screen.text]));
  const art = new Set([...screens.values()].filter((screen) => screen.art === true).map((screen) => screen.name));
  const version = versionOf(texts, built, folder.flowFiles);
  const menusInForce = new Map([...built].map(([name, menu]) => [name, withVersion(menu, version)]));
  const flowVersions = new Map([...(flows?.values() ?? [])].map((flow) => [flow.name, createHash('sha256').update(flow.source).digest('hex').slice(0, 16)]));
  const set: ScreenSet = Object.freeze({
    dir: folder.dir,
    version,
    menuNames: Object.freeze([...built.keys()]),
    screenNames: Object.freeze([...texts.keys()]),
    flowNames: Object.freeze([...(flows?.keys() ?? [])]),
    areas: folder.areas,
    render(name: string, vars: Vars | undefined, columns?: number): string {
      const text = texts.get(name);
      if (text === undefined) throw new Error(`Expected a screen ${name}.txt in ${folder.dir}, got none`);
      if (columns !== undefined && HANGING_SCREENS.has(name) && !art.has(name)) return wrapHanging(text, vars, columns);
      const filled = fillPlaceholders(text, vars);
      return columns === undefined || art.has(name) ? filled : wrapText(filled, columns);
    },
    menu: (name: string) => menusInForce.get(name),
    flow: (name: string) => flows?.get(name)?.run,
    flowVersion: (name: string) => flowVersions.get(name),
  });
  return { set, problems, notes };
}

// Sorted by name, so the order files were listed in does not change the version.
function versionOf(texts: ReadonlyMap<string, string>, menus: ReadonlyMap<string, Menu>, flowFiles: readonly FlowFile[]): string {
  const byName = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  hash.update(JSON.stringify(byName(texts)));
  hash.update(JSON.stringify(byName(menus)));
  hash.update(JSON.stringify(byName(flowFiles.map((flow) => [flow.name, flow.source]))));
  return hash.digest('hex').slice(0, 16);
}

function unusedNotes(folder: ScreenFolder, roles: ReadonlyMap<string, unknown>, menus: ReadonlyMap<string, Menu>, flows: ReadonlyMap<string, LoadedFlow> | undefined): string[] {
  const notes: string[] = [];
  for (const screen of folder.screens.values()) {
    if (roles.has(screen.name)) continue;
    const helpOf = screen.name.endsWith('.help') ? screen.name.slice(0, -'.help'.length) : undefined;
    if (helpOf !== undefined) notes.push(`${screen.file}: not shown anywhere (there is no ${helpOf}.menu for it to be the help of)`);
    else notes.push(`${screen.file}: not shown anywhere (no header puts it on a menu, and no menu or flow names it)`);
  }
  // Menus and flows a caller can reach from the main menu.
  const seen = new Set<string>(['main']);
  const usedFlows = new Set<string>();
  const queue = ['main'];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const item of menus.get(name)?.items ?? []) {
      if (item.target.kind === 'flow') usedFlows.add(item.target.flow);
      if (item.target.kind === 'menu' && !seen.has(item.target.menu)) {
        seen.add(item.target.menu);
        queue.push(item.target.menu);
      }
    }
  }
  for (const menu of folder.menus.values()) {
    if (!seen.has(menu.name)) notes.push(`${menu.file}: no menu leads to it, so callers cannot reach it`);
  }
  for (const flow of flows?.values() ?? []) {
    if (!usedFlows.has(flow.name)) notes.push(`${flow.file}: not on any menu callers can reach`);
  }
  return notes;
}
