/**
 * The sysop's message areas, `screens/areas.conf`: one area a line, `name: Title`, in the order
 * callers see them; `new-name: Title (was old-name)` renames an area, keeping its messages.
 * General is always there (first unless the file puts it elsewhere) and keeps its name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERAL_AREA_NAME, type AreaDef } from '../db/areas-store.js';
import type { ScreenProblem } from './screen-markup.js';

/** The areas file's name in a screens folder. */
export const AREAS_FILE = 'areas.conf';

/** The longest title an area may have, in characters. */
export const MAX_AREA_TITLE = 40;

const NAME = /^[a-z0-9][a-z0-9_-]{0,23}$/;
const LINE = /^([^:\s]+)\s*:\s*(.*)$/;
const WAS = /\s*\(was\s+([^)\s]*)\)\s*$/;
const NAME_RULE = '1 to 24 lowercase letters, digits, _ and -, starting with a letter or digit';

/** The areas of a folder; a folder without the file has General alone. Problems are added to `problems`. */
export function readAreasFile(dir: string, problems: ScreenProblem[]): readonly AreaDef[] {
  const file = join(dir, AREAS_FILE);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [{ name: GENERAL_AREA_NAME, title: 'General' }];
    problems.push({ file, line: undefined, message: `unreadable (${(error as Error).message})` });
    return [];
  }
  return parseAreasFile(file, source, problems);
}

/** Parses an areas file's source; every mistake goes to `problems` with its line. */
export function parseAreasFile(file: string, source: string, problems: ScreenProblem[]): readonly AreaDef[] {
  const defs: (AreaDef & { readonly line: number })[] = [];
  const lineOf = new Map<string, number>();
  for (const [index, raw] of source.replace(/\r\n/g, '\n').split('\n').entries()) {
    const line = index + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    const match = LINE.exec(text);
    if (match === null) {
      problems.push({ file, line, message: `expected "name: Title" (or "new-name: Title (was old-name)" to rename), got "${text}"` });
      continue;
    }
    const name = match[1] ?? '';
    let title = (match[2] ?? '').trim();
    const was = WAS.exec(title);
    if (was !== null) title = title.slice(0, was.index).trim();
    const before = was?.[1];
    if (!NAME.test(name)) {
      problems.push({ file, line, message: `area name "${name}": expected ${NAME_RULE}` });
      continue;
    }
    const first = lineOf.get(name);
    if (first !== undefined) {
      problems.push({ file, line, message: `area ${name} again (it is on line ${first})` });
      continue;
    }
    if (title === '') problems.push({ file, line, message: `area ${name} has no title: write it after "${name}:"` });
    else if ([...title].length > MAX_AREA_TITLE) problems.push({ file, line, message: `area ${name}: a title of at most ${MAX_AREA_TITLE} characters, got ${[...title].length}` });
    else if (/[\u0000-\u001f\u007f-\u009f]|\{\{/.test(title)) problems.push({ file, line, message: `area ${name}: a title is plain text (no control characters, no {{placeholders}})` });
    if (before !== undefined && !wasProblem(name, before, file, line, problems)) {
      lineOf.set(name, line);
      defs.push({ name, title, was: before, line });
      continue;
    }
    lineOf.set(name, line);
    defs.push({ name, title, line });
  }
  // A rename from a name the file still lists would take that area's messages away from it.
  for (const def of defs) {
    if (def.was === undefined) continue;
    const listed = lineOf.get(def.was);
    if (listed !== undefined) problems.push({ file, line: def.line, message: `area ${def.name} says it was ${def.was}, but ${def.was} is still listed (line ${listed}): remove that line to rename` });
    const other = defs.find((d) => d !== def && d.was === def.was);
    if (other !== undefined && other.line > def.line) problems.push({ file, line: other.line, message: `area ${other.name} renames ${def.was} too (line ${def.line} already does)` });
  }
  return defs.map(({ name, title, was }) => (was === undefined ? { name, title } : { name, title, was }));
}

// True when `(was NAME)` cannot be: the problem is added.
function wasProblem(name: string, before: string, file: string, line: number, problems: ScreenProblem[]): boolean {
  if (!NAME.test(before)) problems.push({ file, line, message: `area ${name} (was "${before}"): expected the old name, ${NAME_RULE}` });
  else if (before === name) problems.push({ file, line, message: `area ${name} says it was itself: remove "(was ${before})"` });
  else if (before === GENERAL_AREA_NAME || name === GENERAL_AREA_NAME) problems.push({ file, line, message: `General cannot be renamed (give it another title instead: "general: Your title")` });
  else return false;
  return true;
}
