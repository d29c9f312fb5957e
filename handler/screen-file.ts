/**
 * One screen file, `NAME.txt`: an optional header between two `---` lines that puts the screen
 * on a menu (`menu:`, `key:`, `label:`), then the text callers see.
 */
import { compileText, type PlaceholderUse, type ScreenProblem } from './screen-markup.js';

/** Where a screen's header puts it: on menu `menu`, under hotkey `key`, shown as `label`. */
export interface MenuPlacement {
  readonly menu: string;
  readonly key: string;
  readonly label: string;
  /** The line of the header field that names the hotkey, for problems about it. */
  readonly line: number;
}

/** A screen file, read and checked on its own. */
export interface ScreenFile {
  readonly name: string;
  readonly file: string;
  readonly text: string;
  readonly placeholders: readonly PlaceholderUse[];
  readonly placement: MenuPlacement | undefined;
  /** ANSI art (a `.ans` file): shown as drawn, never word-wrapped. */
  readonly art?: boolean;
}

/** Names of screens, menus and flows: what file names may be, so that menu entries can name them. */
export const FILE_NAME = /^[a-z0-9_-]+$/;
/** A hotkey: one to four letters or digits. */
export const HOTKEY = /^[A-Za-z0-9]{1,4}$/;

const HEADER_FIELDS = ['menu', 'key', 'label'] as const;
type HeaderField = (typeof HEADER_FIELDS)[number];
const FIELD_LINE = /^([A-Za-z_-]+)\s*:\s*(.*)$/;

/** Fields gathered from a header or a menu file's settings, each with its line. */
export type Fields<K extends string> = Partial<Record<K, { readonly value: string; readonly line: number }>>;

/**
 * Checks a menu placement given as `menu:`, `key:` and `label:` fields: all three or none. The label
 * may use colour markup; it is returned rendered.
 */
export function placementFrom(fields: Fields<HeaderField>, file: string, firstLine: number, problems: ScreenProblem[]): MenuPlacement | undefined {
  const { menu, key, label } = fields;
  if (menu === undefined && key === undefined && label === undefined) return undefined;
  const missing = HEADER_FIELDS.filter((field) => fields[field] === undefined);
  if (missing.length > 0 || menu === undefined || key === undefined || label === undefined) {
    const line = (menu ?? key ?? label)?.line ?? firstLine;
    problems.push({ file, line, message: `no ${missing.map((f) => `${f}:`).join(' or ')} (an entry on a menu needs menu:, key: and label:)` });
    return undefined;
  }
  let ok = true;
  if (!FILE_NAME.test(menu.value)) {
    problems.push({ file, line: menu.line, message: `menu: expected the name of a .menu file (like main), got "${menu.value}"` });
    ok = false;
  }
  if (!HOTKEY.test(key.value)) {
    problems.push({ file, line: key.line, message: `key: expected a hotkey of 1 to 4 letters or digits, got "${key.value}"` });
    ok = false;
  }
  if (label.value === '') {
    problems.push({ file, line: label.line, message: 'label: is empty; say what the entry is, as the menu should show it' });
    ok = false;
  }
  const rendered = compileText(label.value, file, label.line, problems);
  if (rendered.placeholders.length > 0) {
    problems.push({ file, line: label.line, message: 'label: cannot use {{placeholders}}' });
    ok = false;
  }
  return ok ? { menu: menu.value, key: key.value.toUpperCase(), label: rendered.text, line: key.line } : undefined;
}

/** Reads one `name: value` line into `fields`, or says what is wrong with it. */
export function readField<K extends string>(line: string, lineNo: number, known: readonly K[], fields: Fields<K>, file: string, problems: ScreenProblem[]): void {
  const match = FIELD_LINE.exec(line);
  const name = match?.[1]?.toLowerCase();
  if (match === null || name === undefined) {
    problems.push({ file, line: lineNo, message: `expected "field: value" (fields: ${known.join(', ')}), got "${line}"` });
    return;
  }
  if (!(known as readonly string[]).includes(name)) {
    problems.push({ file, line: lineNo, message: `unknown field "${name}:" (fields: ${known.join(', ')})` });
    return;
  }
  const field = name as K;
  const seen = fields[field];
  if (seen !== undefined) {
    problems.push({ file, line: lineNo, message: `${name}: given twice (first on line ${seen.line})` });
    return;
  }
  fields[field] = { value: (match[2] ?? '').trim(), line: lineNo };
}

/** Parses a screen file's source; problems are added to `problems`, and the screen is returned anyway. */
export function parseScreenFile(name: string, file: string, source: string, problems: ScreenProblem[]): ScreenFile {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  let bodyStart = 0;
  let placement: MenuPlacement | undefined;
  if (lines[0]?.trimEnd() === '---') {
    const close = lines.findIndex((line, index) => index > 0 && line.trimEnd() === '---');
    if (close < 0) {
      problems.push({ file, line: 1, message: 'the header starts with --- but no line --- ends it' });
    } else {
      const fields: Fields<HeaderField> = {};
      const before = problems.length;
      for (let index = 1; index < close; index++) {
        const line = (lines[index] ?? '').trim();
        if (line !== '' && !line.startsWith('#')) readField(line, index + 1, HEADER_FIELDS, fields, file, problems);
      }
      if (Object.keys(fields).length === 0 && problems.length === before) {
        problems.push({ file, line: 1, message: 'the header is empty: give menu:, key: and label:, or remove the --- lines' });
      }
      placement = placementFrom(fields, file, 1, problems);
      bodyStart = close + 1;
    }
  }
  const body = lines.slice(bodyStart).join('\n').replace(/\n$/, '');
  rawControls(body, file, bodyStart + 1, problems);
  const compiled = compileText(body, file, bodyStart + 1, problems);
  return { name, file, text: compiled.text, placeholders: compiled.placeholders, placement };
}

// Raw escapes in a .txt reach callers' terminals as they are: colour is markup, art is a .ans file.
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/;

function rawControls(body: string, file: string, firstLine: number, problems: ScreenProblem[]): void {
  body.split('\n').forEach((line, index) => {
    const found = RAW_CONTROL.exec(line);
    if (found === null) return;
    const code = found[0].charCodeAt(0);
    const what = code === 0x1b ? 'a raw ESC (0x1B)' : `a raw control character (0x${code.toString(16).toUpperCase().padStart(2, '0')})`;
    problems.push({ file, line: firstLine + index, message: `${what} at column ${found.index + 1}: colour text with markup such as {yellow}...{/}, or draw ANSI art in a .ans file` });
  });
}
