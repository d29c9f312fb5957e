import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { MENU_PLACEHOLDERS, TEXT_PLACEHOLDERS } from '../handler/menu.js';
import { SCREEN_CATALOG, SCREEN_NAMES } from '../handler/screen-catalog.js';
import { loadScreenSet } from '../handler/screens.js';
import { createHarness, registerAtMenu } from './support/harness.js';
import { M2BBS_BIN } from './support/handler-process.js';
import { screenFolder } from './support/screen-folder.js';

// screens/README.md is for sysops who copy from it: what it shows must be what the board does.
const README = readFileSync(join(SHIPPED_SCREENS, 'README.md'), 'utf8');

/** The fenced block that follows `<!-- marker -->` in the README. */
function blockAfter(marker: string): string {
  const at = README.indexOf(`<!-- ${marker} -->`);
  expect(at, `README.md has <!-- ${marker} -->`).toBeGreaterThanOrEqual(0);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(README.slice(at));
  return match?.[1] ?? '';
}

const placeholderList = (keys: readonly string[]): string => (keys.length === 0 ? 'none' : keys.map((key) => `\`{{${key}}}\``).join(' '));

describe('screens/README.md', () => {
  it('lists the placeholders each screen offers, as the board checks them', () => {
    const section = README.slice(README.indexOf('<!-- placeholders -->'), README.indexOf('<!-- /placeholders -->'));
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toEqual(SCREEN_NAMES.map((name) => `| \`${name}\` | ${placeholderList(SCREEN_CATALOG[name])} |`));
    expect(section).toContain(`| a screen shown from a menu (a header, or \`-> screen NAME\`) | ${placeholderList(TEXT_PLACEHOLDERS)} |`);
    expect(section).toContain(`| a screen that draws a menu (\`screen:\` in a menu file) | ${placeholderList(MENU_PLACEHOLDERS)} |`);
  });

  it('shows the one-liner flow and its screen as shipped', () => {
    const flow = readFileSync(join(SHIPPED_SCREENS, 'flows/oneliners.ts'), 'utf8');
    expect(README).toContain(flow.slice(flow.indexOf('import type')));
    const screen = readFileSync(join(SHIPPED_SCREENS, 'oneliners.txt'), 'utf8');
    expect(README).toContain(screen.split('\n').map((line) => (line === '' ? '' : `  ${line}`)).join('\n'));
    expect(README).toContain(readFileSync(join(SHIPPED_SCREENS, 'main.menu'), 'utf8').split('\n').slice(-8).join('\n'));
  });

  it('walks through adding the rules and a games menu: the check passes and callers see what it says', async () => {
    const folder = screenFolder();
    for (const file of ['rules.txt', 'games.menu', 'games_help.txt']) folder.write(file, blockAfter(`file: ${file}`));
    const check = spawnSync(process.execPath, [M2BBS_BIN, 'screens', 'check', folder.dir], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    const said = README.match(/screens\/ is fine: (.*)/)?.[1];
    expect(check.stdout).toContain(`${folder.dir} is fine: ${said}`);

    const set = await loadScreenSet(folder.dir);
    const h = createHarness({ screens: () => set, services: (base) => ({ ...base, random: () => 0 }) });
    const c = await registerAtMenu(h, '1', 'newbie', 'password1');
    expect(c.replies.at(-1)?.msg).toBe(blockAfter('caller sees: main').trimEnd());
    await c.say('5');
    expect(c.replies.at(-2)?.msg).toContain('1. Be kind, newbie. Everyone here was new once.');
    expect((await c.say('g'))?.msg).toBe(blockAfter('caller sees: games').trimEnd());
    await c.say('h');
    expect(c.replies.at(-2)?.msg).toContain('HOW TO PLAY');
    expect((await c.say('1'))?.msg).toContain('Your guess?');
    await c.say('1');
    expect(c.replies.at(-2)?.msg).toContain('You got it in 1.');
    await c.say('q');
    expect(c.replies.at(-1)?.msg).toBe(blockAfter('caller sees: main').trimEnd());
    h.close();
  });
});
