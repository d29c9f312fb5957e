import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { TmuxTerminal, hasTmux } from './support/tmux.js';

// CI installs tmux and sets M2BBS_REQUIRE_TMUX, so there this can't be skipped.
const available = hasTmux();
if (!available && process.env.M2BBS_REQUIRE_TMUX) throw new Error('tmux is required here: apt-get install tmux');
if (!available) console.warn('tmux not installed (apt-get install tmux): the real-terminal tests of m2bbs dial are not run');

const DIAL = `${process.execPath} ${fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url))} dial`;

/** True when `stty -a` output shows a setting on (`echo`), not off (`-echo`). */
function sttyOn(screen: string, setting: string): boolean {
  return new RegExp(`(^|\\s)${setting}(\\s|;|$)`, 'm').test(screen);
}

describe.runIf(available)('m2bbs dial in a real terminal (tmux)', () => {
  let bbs: TestBbs;
  let term: TmuxTerminal | undefined;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterEach(() => {
    term?.close();
    term = undefined;
  });
  afterAll(async () => {
    await bbs?.close();
  });

  async function expectSaneTerminal(t: TmuxTerminal): Promise<void> {
    await t.shellBack();
    expect(t.pane('alternate_on')).toBe('0');
    t.send('clear; stty -a; echo stty-done', 'Enter');
    const stty = await t.until((screen) => /^stty-done$/m.test(screen), 'the stty settings');
    expect(sttyOn(stty, 'echo')).toBe(true);
    expect(sttyOn(stty, 'icanon')).toBe(true);
    expect(sttyOn(stty, 'isig')).toBe(true);
  }

  it('starts full-screen, shows the banner, takes a name and leaves the terminal sane after Ctrl-C', async () => {
    const t = (term = new TmuxTerminal());
    await t.shellBack();
    t.send(`${DIAL} 127.0.0.1:${bbs.frontPort}`, 'Enter');
    const banner = await t.until((screen) => screen.includes("What's your name?"), 'the name prompt');
    expect(banner).toContain('Welcome to the M2BBS.');
    expect(banner).toMatch(/ATDT @bbs[\s\S]*CONNECT/);
    expect(t.pane('alternate_on')).toBe('1');
    t.send('ptyuser', 'Enter');
    await t.until((screen) => screen.includes("What's your password?") && screen.includes('> ptyuser'), 'the password prompt');
    t.send('hunter2-secret');
    await t.until((screen) => screen.includes('*'.repeat(14)), 'the masked password');
    expect(t.capture()).not.toContain('hunter2-secret');
    t.send('', 'C-c');
    await expectSaneTerminal(t);
  });

  it('hangs up with Ctrl-D and gives the terminal back', async () => {
    const t = (term = new TmuxTerminal(80, 24));
    await t.shellBack();
    t.send(`${DIAL} 127.0.0.1:${bbs.frontPort}`, 'Enter');
    await t.until((screen) => /@bbs \| not logged in .*CONNECTED/.test(screen), 'the status bar');
    t.send('', 'C-d');
    await expectSaneTerminal(t);
  });

  it('--plain reads a password with echo off and restores the terminal when Ctrl-C hangs up there', async () => {
    const t = (term = new TmuxTerminal());
    await t.shellBack();
    t.send(`${DIAL} --plain 127.0.0.1:${bbs.frontPort}`, 'Enter');
    await t.until((screen) => screen.includes("What's your name?"), 'the name prompt');
    t.send('plainpty', 'Enter');
    await t.until((screen) => screen.includes("What's your password?"), 'the password prompt');
    t.send('hidden-pw-1', 'Enter');
    // Echo is back on after the secret line: the answer to the next question shows as it is typed.
    await t.until((screen) => screen.includes('Sign up as plainpty? (Y/n)'), 'the sign-up question');
    t.send('n');
    await t.until((screen) => /^> n$/m.test(screen), 'the answer echoed');
    t.send('', 'Enter');
    await t.until((screen) => screen.split("What's your name?").length === 3, 'the name prompt again');
    t.send('plainpty', 'Enter');
    await t.until((screen) => screen.split("What's your password?").length === 3, 'the password prompt again');
    t.send('hidden-pw-2', 'BSpace', 'C-c');
    const after = await t.until((screen) => screen.includes('NO CARRIER'), 'NO CARRIER');
    expect(after).not.toContain('hidden-pw');
    await expectSaneTerminal(t);
  });
});
