import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { loadScreenSet } from '../handler/screens.js';
import { watchScreens } from '../handler/screen-watch.js';
import { RULES_TXT, screenFolder } from './support/screen-folder.js';

const GAMES_MENU = 'title: GAMES\nmenu: main\nkey: G\nlabel: Games.\n1. Guess the number. -> flow guess\nQ. Back. -> back\n';

describe('the version of a screens folder', () => {
  it('is carried by every menu, which is plain data naming its flows, whose code the set looks up by name', async () => {
    const folder = screenFolder();
    folder.write('games.menu', GAMES_MENU);
    const set = await loadScreenSet(folder.dir);
    const games = set.menu('games');
    expect(games).toBeDefined();
    expect(JSON.parse(JSON.stringify(games))).toEqual(games);
    expect(games?.version).toBe(set.version);
    expect(set.menu('main')?.version).toBe(set.version);
    expect(games?.items[0]).toEqual({ key: '1', label: 'Guess the number.', target: { kind: 'flow', flow: 'guess' } });
    expect(typeof set.flow('guess')).toBe('function');
    expect(set.flow('chess')).toBeUndefined();
  });

  it('is the same for the same contents, in any folder, and changes with a text, a menu or a flow', async () => {
    const one = screenFolder();
    const two = screenFolder();
    const first = (await loadScreenSet(one.dir)).version;
    expect((await loadScreenSet(two.dir)).version).toBe(first);
    two.write('rules.txt', RULES_TXT);
    const withRules = (await loadScreenSet(two.dir)).version;
    expect(withRules).not.toBe(first);
    two.write('games.menu', GAMES_MENU);
    const withGames = (await loadScreenSet(two.dir)).version;
    expect([first, withRules]).not.toContain(withGames);
    const guess = readFileSync(two.path('flows/guess.ts'), 'utf8');
    // A comment changes nothing a caller sees, but the code is another version.
    two.write('flows/guess.ts', `// edited\n${guess}`);
    expect([first, withRules, withGames]).not.toContain((await loadScreenSet(two.dir)).version);
    // Back to the first contents: back to the first version.
    two.write('flows/guess.ts', guess);
    two.remove('games.menu');
    two.remove('rules.txt');
    expect((await loadScreenSet(two.dir)).version).toBe(first);
  });

  it('changes when a reload puts a changed folder in force, and the log names it', async () => {
    const folder = screenFolder();
    const records: Record<string, unknown>[] = [];
    const log = createLogger('debug', { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
    const initial = await loadScreenSet(folder.dir);
    const watcher = watchScreens(folder.dir, initial, log);
    onTestFinished(() => watcher.close());
    folder.write('rules.txt', RULES_TXT);
    expect(await watcher.reload()).toBe(true);
    const { version } = watcher.current;
    expect(version).not.toBe(initial.version);
    expect(watcher.current.menu('main')?.version).toBe(version);
    expect(records.find((r) => r.msg === 'screens reloaded')).toMatchObject({ screensVersion: version });
  });
});
