import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { M2BBS_BIN } from './support/handler-process.js';
import { entryLine } from './support/main-menu.js';
import { RULES_TXT, screenFolder, shippedScreenCount } from './support/screen-folder.js';

function run(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [M2BBS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('m2bbs screens check', () => {
  it('passes the shipped screens, noting the example flows no menu offers yet', async () => {
    const result = await run(['screens', 'check', SHIPPED_SCREENS]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      `note: ${SHIPPED_SCREENS}/flows/guess.ts: not on any menu callers can reach`,
      `note: ${SHIPPED_SCREENS}/flows/oneliners.ts: not on any menu callers can reach`,
      `${SHIPPED_SCREENS} is fine: 1 menu (main), ${shippedScreenCount()} screens, 2 flows (guess, oneliners).`,
    ]);
  });

  it('checks the folder M2BBS_SCREENS names when given none, and passes a folder with new screens and menus', async () => {
    const folder = screenFolder();
    folder.write('rules.txt', RULES_TXT);
    folder.write('games.menu', 'title: GAMES\nmenu: main\nkey: G\nlabel: Games.\n1. Guess the number. -> flow guess\n2. The wall. -> flow oneliners\nQ. Back. -> back\n');
    const result = await run(['screens', 'check'], { ...process.env, M2BBS_SCREENS: folder.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${folder.dir} is fine: 2 menus (games, main), ${shippedScreenCount() + 1} screens, 2 flows (guess, oneliners).\n`);
  });

  it('lists every problem with its file and line, and exits 1', async () => {
    const folder = screenFolder();
    folder.write('rules.txt', '---\nmenu: main\nkey: 1\nlabel: Rules.\n---\n{{rules}}\n');
    folder.write('games.menu', 'menu: main\nkey: G\nlabel: Games.\n1. Chess. -> flow chess\n');
    folder.write('flows/poll.ts', 'export const screens = {};\nexport default function* poll( {\n');
    folder.remove('motd.txt');
    const result = await run(['screens', 'check', folder.dir]);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      `note: ${folder.path('motd.txt')}: not there, so the shipped one is used`,
      `note: ${folder.path('flows/guess.ts')}: not on any menu callers can reach`,
      `note: ${folder.path('flows/oneliners.ts')}: not on any menu callers can reach`,
      `${folder.path('flows/poll.ts')}:3: cannot be loaded: Expected identifier but found end of file`,
      `${folder.path('games.menu')}:4: entry 1 points nowhere: there is no flows/chess.ts`,
      `${folder.path('rules.txt')}:3: hotkey 1 is already taken on menu main (${folder.path('main.menu')}:${entryLine(folder.path('main.menu'), '1')})`,
      `${folder.path('rules.txt')}:6: unknown placeholder {{rules}} (this screen offers: name, calls, last_call, now, messages, new_mail)`,
      `4 problems in ${folder.dir}: a backend will not start on it, and a running one keeps its current version.`,
    ]);
  });

  it('says how it is used when the command or the folders are wrong', async () => {
    const bare = await run(['screens']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('m2bbs screens: expected "check [DIR]", got nothing');
    expect(bare.stderr).toContain('Usage: m2bbs screens check [DIR]');
    const two = await run(['screens', 'check', 'a', 'b']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('m2bbs screens check: expected one folder, got 2');
    const help = await run(['--help']);
    expect(help.stdout).toContain('screens   check a screens folder');
  });

  it('takes ESC[nC in an .ans screen as spaces, and refuses ESC[s, ESC[u and a NUL byte, each named with file and line', async () => {
    const folder = screenFolder();
    // As TheDraw and PabloDraw save art: runs of spaces as cursor forward, and here a save/restore and a NUL.
    writeFileSync(folder.path('art.ans'), Buffer.from('\x1b[1;33m\xdb\x1b[5C\xdb\x1b[C\xb0\r\n\x1b[s\xdb\x1b[u\r\nA\x00B\r\n\x1b[0m', 'latin1'));
    const result = await run(['screens', 'check', folder.dir]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    const art = folder.path('art.ans');
    expect(lines).toContain(`${art}:2: escape sequence "ESC[s" is not a colour (SGR, ESC[...m): an .ans screen may colour text, but not move the cursor, clear the screen or set the title`);
    expect(lines).toContain(`${art}:2: escape sequence "ESC[u" is not a colour (SGR, ESC[...m): an .ans screen may colour text, but not move the cursor, clear the screen or set the title`);
    expect(lines).toContain(`${art}:3: a NUL byte (0x00) at column 2: terminals draw nothing for it, so what follows would be out of place; save the art with spaces`);
    expect(lines.filter((line) => line.includes('ESC[5C') || line.includes('ESC[C') || line.includes(`${art}:1:`))).toEqual([]);
    expect(lines.at(-1)).toBe(`3 problems in ${folder.dir}: a backend will not start on it, and a running one keeps its current version.`);
  });

  it('refuses an .ans screen with an escape that is not a colour, and a raw ESC in a .txt, each with file and line', async () => {
    const folder = screenFolder();
    // CP437 art: colour is fine, a cursor move is not.
    writeFileSync(folder.path('art.ans'), Buffer.from('\x1b[1;33m\xdb\xdb\xb0 art\r\n\x1b[10;5Hmoved\r\n\x1b[0m', 'latin1'));
    folder.write('rules.txt', '---\nmenu: main\nkey: 5\nlabel: Rules.\n---\nBe kind.\n\x1b[2JClear!\n');
    const result = await run(['screens', 'check', folder.dir]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain(`${folder.path('art.ans')}:2: escape sequence "ESC[10;5H" is not a colour (SGR, ESC[...m): an .ans screen may colour text, but not move the cursor, clear the screen or set the title`);
    expect(lines).toContain(`${folder.path('rules.txt')}:7: a raw ESC (0x1B) at column 1: colour text with markup such as {yellow}...{/}, or draw ANSI art in a .ans file`);
    expect(lines.at(-1)).toBe(`2 problems in ${folder.dir}: a backend will not start on it, and a running one keeps its current version.`);
  });
});
