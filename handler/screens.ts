/** Loads screen texts from a folder, checks their placeholders, and renders them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BbsError } from '../common/errors.js';
import type { Vars } from './effects.js';
import { SCREEN_CATALOG, SCREEN_NAMES, type ScreenName } from './screen-catalog.js';

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Screen texts, ready to render. */
export interface Screens {
  render(name: ScreenName, vars: Vars | undefined): string;
}

/** Reads every catalog screen from `dir`; throws a BbsError naming each missing, unreadable or invalid file. */
export function loadScreens(dir: string): Screens {
  const texts = new Map<ScreenName, string>();
  const problems: string[] = [];
  for (const name of SCREEN_NAMES) {
    const file = join(dir, `${name}.txt`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `unreadable (${(err as Error).message})`;
      problems.push(`${file}: ${reason}`);
      continue;
    }
    const allowed: readonly string[] = SCREEN_CATALOG[name];
    for (const [lineIndex, line] of text.split('\n').entries()) {
      for (const match of line.matchAll(PLACEHOLDER)) {
        const key = match[1] ?? '';
        if (!allowed.includes(key)) {
          const offer = allowed.length > 0 ? allowed.join(', ') : 'none';
          problems.push(`${file}:${lineIndex + 1}: unknown placeholder {{${key}}} (this screen offers: ${offer})`);
        }
      }
    }
    texts.set(name, text.replace(/\r\n/g, '\n').replace(/\n$/, ''));
  }
  if (problems.length > 0) {
    throw new BbsError('BBS_ERR_SCREEN', `screens in ${dir} cannot be used:\n  ${problems.join('\n  ')}`);
  }
  return {
    render(name, vars) {
      const text = texts.get(name) ?? '';
      if (vars === undefined) return text;
      return text.replace(PLACEHOLDER, (_whole, key: string) => String(vars[key] ?? ''));
    },
  };
}
