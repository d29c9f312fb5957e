/** A copy of the shipped screens in a temp folder, for tests that add, change and break files. */
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { SHIPPED_SCREENS } from '../../handler/config.js';

export interface ScreenFolder {
  readonly dir: string;
  /** The path of a file in the folder. */
  path(name: string): string;
  /** Writes a file in place. */
  write(name: string, text: string): void;
  /** Writes a file next to the folder and renames it in, as careful editors do: one change, whole. */
  replace(name: string, text: string): void;
  remove(name: string): void;
}

/** Copies the shipped screens to a temp folder that is removed after the test. */
export function screenFolder(): ScreenFolder {
  const root = mkdtempSync(join(tmpdir(), 'm2bbs-screens-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'screens');
  cpSync(SHIPPED_SCREENS, dir, { recursive: true });
  let serial = 0;
  return {
    dir,
    path: (name) => join(dir, name),
    write: (name, text) => writeFileSync(join(dir, name), text),
    replace(name, text) {
      const temp = join(root, `.${serial++}.tmp`);
      writeFileSync(temp, text);
      renameSync(temp, join(dir, name));
    },
    remove: (name) => rmSync(join(dir, name), { recursive: true, force: true }),
  };
}

/** How many screens the shipped folder has (its .txt and .ans files), which every new screen changes. */
export function shippedScreenCount(): number {
  return readdirSync(SHIPPED_SCREENS).filter((name) => /\.(txt|ans)$/.test(name)).length;
}

/** The screen file the README's walk-through adds as "5. The rules of this board." */
export const RULES_TXT = `---
menu: main
key: 5
label: The rules of this board.
---
{yellow}{bold}THE RULES OF THIS BOARD{/}
1. Be kind, {{name}}. Everyone here was new once.
2. No spam, no ads, no chain letters.
3. The sysop's word is final.
`;
