/**
 * One menu file, `NAME.menu`: settings (`title:`, `screen:`, and `menu:`/`key:`/`label:` to put
 * the menu on another menu), entries `KEY. Label -> what it does`, and a `*` line where entries
 * that screen headers add go.
 */
import { isMenuAction, MENU_ACTIONS, type MenuAction } from './menu.js';
import { FILE_NAME, HOTKEY, placementFrom, readField, type Fields, type MenuPlacement } from './screen-file.js';
import { compileText, type ScreenProblem } from './screen-markup.js';

/** Where an entry in a menu file leads, before the names in it are checked against the folder. */
export type EntryTarget = { readonly kind: 'screen' | 'menu' | 'flow'; readonly name: string } | { readonly kind: 'action'; readonly action: MenuAction };

/** An entry as written in a menu file (or added by a screen header). */
export interface MenuLine {
  readonly key: string;
  readonly label: string;
  readonly target: EntryTarget;
  readonly file: string;
  readonly line: number;
}

/** A menu file, read and checked on its own. */
export interface MenuFile {
  readonly name: string;
  readonly file: string;
  readonly title: string;
  readonly screen: { readonly name: string; readonly line: number } | undefined;
  readonly placement: MenuPlacement | undefined;
  /** Entries in order; `'*'` marks where entries added by screen headers go. */
  readonly lines: readonly (MenuLine | '*')[];
}

const SETTINGS = ['title', 'screen', 'menu', 'key', 'label'] as const;
type Setting = (typeof SETTINGS)[number];
const ENTRY = /^([A-Za-z0-9]+)\.\s+(.*)$/;
const TARGETS = `screen NAME, menu NAME, flow NAME, or one of ${MENU_ACTIONS.join(', ')}`;

/** Parses a menu file's source; problems are added to `problems`, and the menu is returned anyway. */
export function parseMenuFile(name: string, file: string, source: string, problems: ScreenProblem[]): MenuFile {
  const settings: Fields<Setting> = {};
  const lines: (MenuLine | '*')[] = [];
  let starLine: number | undefined;
  for (const [index, raw] of source.replace(/\r\n/g, '\n').split('\n').entries()) {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === '*') {
      if (starLine !== undefined) problems.push({ file, line: lineNo, message: `a second * line (the first is on line ${starLine})` });
      else lines.push('*');
      starLine ??= lineNo;
      continue;
    }
    const entry = ENTRY.exec(line);
    if (entry !== null) {
      const parsed = parseEntry(entry[1] ?? '', entry[2] ?? '', file, lineNo, problems);
      if (parsed !== undefined) lines.push(parsed);
      continue;
    }
    if (/^[A-Za-z_-]+\s*:/.test(line)) {
      readField(line, lineNo, SETTINGS, settings, file, problems);
      continue;
    }
    problems.push({ file, line: lineNo, message: `expected an entry "KEY. Label -> what it does", a setting (${SETTINGS.map((s) => `${s}:`).join(' ')}), a * line or a # comment; got "${line}"` });
  }
  const { title, screen, menu, key, label } = settings;
  if (screen !== undefined && !FILE_NAME.test(screen.value)) {
    problems.push({ file, line: screen.line, message: `screen: expected the name of a .txt screen (like menu), got "${screen.value}"` });
  }
  const renderedTitle = compileText(title?.value ?? name.toUpperCase(), file, title?.line ?? 1, problems);
  return {
    name,
    file,
    title: renderedTitle.text,
    screen: screen === undefined || !FILE_NAME.test(screen.value) ? undefined : { name: screen.value, line: screen.line },
    placement: placementFrom({ ...(menu ? { menu } : {}), ...(key ? { key } : {}), ...(label ? { label } : {}) }, file, 1, problems),
    lines,
  };
}

function parseEntry(key: string, rest: string, file: string, line: number, problems: ScreenProblem[]): MenuLine | undefined {
  const arrow = rest.lastIndexOf('->');
  if (!HOTKEY.test(key)) {
    problems.push({ file, line, message: `hotkey "${key}": expected 1 to 4 letters or digits` });
    return undefined;
  }
  if (arrow < 0) {
    problems.push({ file, line, message: `entry ${key.toUpperCase()} does not say what it does: end the line with -> and ${TARGETS}` });
    return undefined;
  }
  const labelSource = rest.slice(0, arrow).trim();
  const targetText = rest.slice(arrow + 2).trim();
  if (labelSource === '') {
    problems.push({ file, line, message: `entry ${key.toUpperCase()} has no label: write it between "${key}." and "->"` });
    return undefined;
  }
  const target = parseTarget(targetText);
  if (target === undefined) {
    problems.push({ file, line, message: `entry ${key.toUpperCase()} leads to "${targetText}": expected ${TARGETS}` });
    return undefined;
  }
  const label = compileText(labelSource, file, line, problems);
  if (label.placeholders.length > 0) {
    problems.push({ file, line, message: `entry ${key.toUpperCase()}: a label cannot use {{placeholders}}` });
    return undefined;
  }
  return { key: key.toUpperCase(), label: label.text, target, file, line };
}

function parseTarget(text: string): EntryTarget | undefined {
  const words = text.split(/\s+/);
  const [first, second] = words;
  if (words.length === 1 && first !== undefined && isMenuAction(first)) return { kind: 'action', action: first };
  if (words.length !== 2 || second === undefined || !FILE_NAME.test(second)) return undefined;
  if (first === 'screen' || first === 'menu' || first === 'flow') return { kind: first, name: second };
  return undefined;
}
