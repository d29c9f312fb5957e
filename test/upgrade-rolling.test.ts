/**
 * `m2bbs upgrade` on a running `m2bbs start --backends 2` (issue 16): the sysop changes a screen
 * text and adds a menu entry in the screens folder, then runs the command. Telnet callers at the
 * main menu of each number and a JSON caller in the middle of a message all keep going, never
 * told NO CARRIER; those at the menu are shown the new entry at once, the one writing finishes
 * the message (posted whole, told so in the new words) and meets the new entry after posting.
 * Both old backend processes are gone, two new ones serve, and the command said per backend how
 * many callers moved and how long it took.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { commandLine, descendants, isRunning } from './support/process-tree.js';
import { m2bbs, startBbs, type RunningBbs } from './support/running-bbs.js';
import { RULES_TXT, screenFolder } from './support/screen-folder.js';
import { backendPid } from './support/started-bbs.js';
import { TelnetCaller } from './support/telnet-caller.js';

let running: RunningBbs | undefined;
const callers: { destroy(): void }[] = [];
afterEach(async () => {
  for (const caller of callers.splice(0)) caller.destroy();
  await running?.bbs.stop();
  running = undefined;
});

const NEW_ENTRY = '5. The rules of this board.';
const NEW_POSTED = 'Posted under the new code, as number';

describe('m2bbs upgrade of a running BBS with two backends', () => {
  // Two drains, six sign-ups and the processes of a whole BBS on a shared two-core machine.
  it('replaces both backends while every caller keeps going; the new menu entry and screen text show', { timeout: 90_000 }, async () => {
    const folder = screenFolder();
    running = await startBbs(['--backends', '2', '--max-callers', '3', '--screens', folder.dir]);
    const { bbs, http, telnet, db } = running;
    const oldPids = [await backendPid(bbs, 'bbs.10'), await backendPid(bbs, 'bbs.11')];

    // One caller in the middle of a message on bbs.10: two lines written, the third to come.
    const writer = await JsonSocketClient.open(http, '@bbs.10');
    callers.push(writer);
    await writer.exchange('connect');
    for (const line of ['wanda', 'secret12', 'y', 'secret12', '']) await writer.exchange(line);
    expect((await writer.exchange('1')).texts.join('\n')).toContain('Leave a message');
    await writer.exchange('First line, before the upgrade.');
    await writer.exchange('Second line, before the upgrade.');

    // Telnet callers at the main menu until both numbers have one (the proxy dials @bbs at random).
    const onNumber = new Map<string, TelnetCaller>();
    const atMenu: TelnetCaller[] = [];
    for (let i = 0; onNumber.size < 2; i++) {
      expect(i).toBeLessThan(6);
      const caller = await TelnetCaller.open(telnet, 'xterm');
      callers.push({ destroy: () => caller.close() });
      const dialled = /ATDT @(bbs\.1\d)/.exec(await caller.waitFor(/ATDT @bbs\.1\d/))?.[1] ?? '';
      await caller.signUpToMenu(`tina${i}`, 'secret12');
      atMenu.push(caller);
      if (!onNumber.has(dialled)) onNumber.set(dialled, caller);
    }
    expect([...onNumber.keys()].sort()).toEqual(['bbs.10', 'bbs.11']);
    const marks = atMenu.map((caller) => caller.text.length);
    expect(atMenu.every((caller) => !caller.text.includes(NEW_ENTRY))).toBe(true);

    // The sysop's change: a new screen on the main menu, and new words after posting.
    folder.replace('rules.txt', RULES_TXT);
    folder.replace('posted.txt', `${NEW_POSTED} {{id}}.\n`);
    const upgrade = await m2bbs(['upgrade', '--db', db]);
    expect(upgrade.stderr).toBe('');
    expect(upgrade.code).toBe(0);
    for (const number of ['bbs.10', 'bbs.11']) expect(upgrade.stdout).toMatch(new RegExp(`${number.replace('.', '\\.')} upgraded: \\d+ callers? moved, 0 left, in \\d+\\.\\d s`));

    // Two new backend processes serve; the two old ones are gone.
    const newPids = [await backendPid(bbs, 'bbs.10', oldPids[0]), await backendPid(bbs, 'bbs.11', oldPids[1])];
    expect(newPids.some((pid) => oldPids.includes(pid))).toBe(false);
    expect(oldPids.filter(isRunning)).toEqual([]);

    // Each caller at the menu was shown the new entry without typing anything, and it works.
    for (const [i, caller] of atMenu.entries()) {
      const seen = await caller.waitFor(NEW_ENTRY, marks[i]);
      expect(seen).toContain('-- line moved to @bbs.1');
      expect(caller.text).not.toContain('NO CARRIER');
      expect(caller.closed).toBe(false);
      await caller.type('5', 'THE RULES OF THIS BOARD');
    }

    // The writer was moved at the line prompt and finishes the message on the new backend.
    const moved = await writer.untilPrompt();
    expect(moved.texts[0]).toMatch(/^-- line moved to @bbs\.1\d --$/);
    expect(moved.closed).toBe(false);
    await writer.exchange('Third line, after the upgrade.');
    const posted = await writer.exchange('.');
    expect(posted.texts.join('\n')).toContain(NEW_POSTED);
    expect(posted.prompt?.msg).toContain(NEW_ENTRY);
    const read = await writer.exchange('2');
    const board = read.texts.join('\n');
    expect(board).toContain('First line, before the upgrade.\nSecond line, before the upgrade.\nThird line, after the upgrade.');
    expect(board.split('First line, before the upgrade.')).toHaveLength(2);
    expect(board).not.toContain('NO CARRIER');

    // Screens reload live, so the new entry alone would show on an old process too: the journal
    // says which process holds each caller's conversation now, and it is a new one for every caller.
    const sysop = new Database(db, { readonly: true, fileMustExist: true });
    let owners: string[];
    try {
      owners = sysop.prepare<[], { owner: string }>('SELECT owner FROM conversations WHERE closed_at IS NULL').all().map((row) => row.owner);
    } finally {
      sysop.close();
    }
    expect(owners).toHaveLength(atMenu.length + 1);
    for (const owner of owners) expect(newPids.map((pid, i) => `bbs.1${i} pid ${pid}`)).toContain(owner);
    // And no process of the old generation is left beside the two new ones.
    expect(descendants(bbs.child.pid ?? 0).filter((pid) => commandLine(pid).includes(' handler ')).sort()).toEqual([...newPids].sort());

    // The log says the same per backend.
    for (const number of ['bbs.10', 'bbs.11']) {
      await bbs.waitForLog((r) => r.msg === 'backend upgraded' && r.backend === number && typeof r.moved === 'number' && typeof r.ms === 'number');
    }
  });

  it('stops at a number whose new backend does not start: the old one goes on serving, exit code 1, and the command says why', { timeout: 60_000 }, async () => {
    const folder = screenFolder();
    running = await startBbs(['--backends', '2', '--screens', folder.dir]);
    const { bbs, http, db } = running;
    const oldPid = await backendPid(bbs, 'bbs.10');
    const caller = await JsonSocketClient.open(http, '@bbs.10');
    callers.push(caller);
    await caller.exchange('connect');
    // A main menu whose entry leads nowhere: the running backends keep the menu in force, a new one cannot start.
    folder.replace('main.menu', 'title: MAIN MENU\n1. Leave a message. -> leave_message\nP. Today\'s poll. -> flow poll\nQ. Quit the BBS. -> quit\n');
    const upgrade = await m2bbs(['upgrade', 'bbs.10', '--db', db]);
    expect(upgrade.code).toBe(1);
    expect(upgrade.stderr).toMatch(/^m2bbs upgrade: bbs\.10: the new backend did not start; the old backend goes on serving its callers\. Why: /);
    expect(upgrade.stderr).toContain('main.menu:3: entry P points nowhere');
    expect(upgrade.stderr).not.toMatch(/\n\s+at /);
    expect(isRunning(oldPid)).toBe(true);
    // The new one that failed is not left running, nor retried.
    expect(descendants(bbs.child.pid ?? 0).filter((pid) => commandLine(pid).includes(' handler --name bbs.10 '))).toEqual([oldPid]);
    // The caller on it goes on, and the next caller still gets the number.
    expect((await caller.exchange('mona')).prompt?.msg).toMatch(/password/i);
    const next = await JsonSocketClient.open(http, '@bbs.10');
    callers.push(next);
    expect((await next.exchange('connect')).texts.join('\n')).toContain('Welcome to the M2BBS.');
  });
});
