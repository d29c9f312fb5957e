import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blessedTerminal } from '../client/screen-ui.js';
import { deadPort, frame, startRawBbs, type RawBbs } from './support/raw-bbs.js';
import { KEY, ScreenDouble } from './support/screen-double.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const PASSWORD = 'Pa55word-Xyzzy';

function dial(port: number, route = '@bbs', columns = 100, rows = 30): ScreenDouble {
  return new ScreenDouble({ host: '127.0.0.1', port, route, colour: true, dialTimeoutMs: 10_000 }, columns, rows);
}

describe('the full-screen client against the real proxy and a backend', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs?.close();
  });

  it('signs up, posts, reads and quits; the password shows nowhere and is never recalled', async () => {
    const term = dial(bbs.frontPort);
    const screen = await term.shows("What's your name?");
    expect(screen).toMatch(/ATDT @bbs[\s\S]*CONNECT[\s\S]*Welcome to the M2BBS\./);
    expect(term.inputRow()).toBe('>');
    expect(term.statusRow()).toMatch(/^ @bbs \| not logged in \| online 0:00:0\d +CONNECTED $/);

    term.type('erin', KEY.enter);
    await term.paneEndsWith("What's your password?");
    expect(term.text()).toContain('> erin');
    term.type(PASSWORD);
    await term.until(() => term.inputRow() === `> ${'*'.repeat(PASSWORD.length)}`, 'the masked password');
    term.type(KEY.backspace, PASSWORD.at(-1) ?? '', KEY.enter);
    await term.shows('Sign up as erin? (Y/n)');
    term.type('y', KEY.enter);
    await term.shows('Type the same password again');
    term.type(PASSWORD, KEY.enter);
    await term.shows('Do you want to continue? (Y/n)');
    expect(term.statusRow()).toContain('not logged in');
    term.type(KEY.enter);
    await term.shows('---(((MAIN MENU))---');
    await term.until(() => term.statusRow().includes(' erin '), 'the name in the status bar');

    // Typed ahead of the prompts: each line waits for its prompt.
    term.type('1', KEY.enter, 'Hello from the blessed client.', KEY.enter, '.', KEY.enter);
    const posted = await term.shows('Your message is on the board as number 1.');
    expect(posted).toMatch(/\n> 1\s*\nLeave a message[^\n]*\n(?:[^\n]*\n)?\s*1> Hello from the blessed client\.\s*\n\s*2> \.\s*\nYour message/);
    term.type('2', KEY.enter);
    await term.shows("-- That's all in General.");
    expect(term.text()).toMatch(/--- #1 from erin, [^\n]*\n\s*Hello from the blessed client\./);
    // The end of the board asks (R would reply); Enter goes back to the menu.
    term.type(KEY.enter);
    await term.until((screen) => screen.lastIndexOf('---(((MAIN MENU))---') > screen.lastIndexOf("That's all in General"), 'the main menu after the board');

    // Up walks back through everything typed, and never reaches the password.
    await term.until(() => term.inputRow() === '>', 'the menu prompt');
    const recalled = new Set<string>();
    for (let i = 0; i < 8; i++) {
      await term.press(KEY.up);
      recalled.add(term.inputRow());
    }
    expect([...recalled]).toEqual(['> 2', '> .', '> Hello from the blessed client.', '> 1', '> y', '> erin']);
    expect(term.ui.session.history).toEqual(['erin', 'y', '1', 'Hello from the blessed client.', '.', '2']);
    term.type(KEY.down, KEY.ctrlU);
    await term.until(() => term.inputRow() === '>', 'an empty input line');

    term.type('q', KEY.enter);
    await term.shows('NO CARRIER');
    expect(term.text()).toContain('Alright, see ya later, erin.');
    await term.until(() => term.inputRow() === 'Enter redials, q quits:' && term.statusRow().trimEnd().endsWith('NO CARRIER'), 'the redial offer');
    expect(term.statusRow()).toContain(' erin ');

    // PgUp shows what scrolled off, a page a press, back to the sign-up; PgDn comes back (and
    // one press more stays at the bottom). The main menu is 15 lines, so that is a few pages.
    const bottom = term.text();
    expect(bottom).not.toContain('Welcome aboard, erin!');
    let pages = 0;
    while (!term.text().includes('Welcome aboard, erin!')) {
      expect(pages, 'PgUp presses without reaching "Welcome aboard, erin!"').toBeLessThan(8);
      const before = term.text();
      term.type(KEY.pageUp);
      await term.until((screen) => screen !== before, 'the pane scrolled up');
      pages++;
    }
    for (let i = 0; i <= pages; i++) term.type(KEY.pageDown);
    await term.until((screen) => screen === bottom, 'the pane back at the bottom');

    term.type('q');
    await term.ui.done;
    for (const screen of term.drawn) expect(screen).not.toContain(PASSWORD);
    expect(term.output.bytes).not.toContain(PASSWORD);
    expect(term.output.bytes).not.toContain(PASSWORD.slice(0, 6));
    expect(term.output.bytes.endsWith('\x1b[?1049l')).toBe(true);
  });

  it('redials with Enter after NO CARRIER, hangs up with Ctrl-C, and redraws on resize', async () => {
    const term = dial(bbs.frontPort, '@bbs', 80, 24);
    await term.shows("What's your name?");
    term.output.resize(50, 16);
    await term.until(() => term.ui.snapshot().length === 16 && term.statusRow().length === 50 && term.statusRow().endsWith('CONNECTED '), 'the screen at 50x16');
    expect(term.lastPaneLine()).toBe("What's your name? (new callers: pick one)");
    expect(term.inputRow()).toBe('>');

    for (const name of ['a', 'b', 'c']) term.type(name, KEY.enter);
    await term.shows('NO CARRIER');
    term.type(KEY.enter);
    await term.until((screen) => screen.split('ATDT @bbs').length === 3 && screen.includes("What's your name?", screen.lastIndexOf('ATDT')), 'a second call');
    expect(term.statusRow()).toMatch(/not logged in.*CONNECTED $/);
    term.type('hal');
    term.type(KEY.ctrlC);
    await term.ui.done;
    expect(term.output.bytes.endsWith('\x1b[?1049l')).toBe(true);
  });

  it('hangs up with Ctrl-D while still dialling', async () => {
    const term = dial(bbs.frontPort);
    term.type(KEY.ctrlD);
    await term.ui.done;
    expect(term.output.bytes).toContain('\x1b[?1049l');
  });
});

describe('the full-screen client when the other end is not a good BBS', () => {
  let raw: RawBbs | undefined;
  afterAll(async () => {
    await raw?.close();
  });

  it('shows NO ANSWER when nothing listens, and q quits', async () => {
    const port = await deadPort();
    const term = dial(port);
    await term.shows(`NO ANSWER: nothing at 127.0.0.1:${port}`);
    await term.until(() => term.statusRow().includes('NO CARRIER') && term.inputRow() === 'Enter redials, q quits:', 'the redial offer');
    term.type('q');
    await term.ui.done;
  });

  it('shows colour as colour, junk as a plain line, and NO CARRIER when the line drops', async () => {
    raw = await startRawBbs((socket) => {
      socket.write('<html>oops</html>\0');
      socket.write(frame({ type: 'screen', msg: 'plain \x1b[31mRED\x1b[0m \x1b[2J\x1b[1;1Hstill here' }));
      socket.write(frame({ type: 'prompt', msg: 'Say something', pchar: ': ' }));
      socket.once('data', () => socket.destroy());
    });
    const term = dial(raw.port, '@bbs.10');
    await term.shows('Say something');
    const rows = term.ui.snapshot();
    const row = rows.findIndex((line) => line.includes('plain RED still here'));
    expect(row).toBeGreaterThanOrEqual(0);
    const col = rows[row]?.indexOf('RED') ?? -1;
    expect(term.ui.foreground(row, col)).toBe(1);
    expect(term.ui.foreground(row, 0)).toBe(-1);
    expect(term.text()).toContain('[bad data from the BBS: unexpected data from server: "<html>oops</html>"]');
    expect(term.statusRow()).toContain('@bbs.10');
    term.type('bye', KEY.enter);
    await term.shows('NO CARRIER');
    await term.until(() => term.statusRow().includes('NO CARRIER'), 'NO CARRIER in the status bar');
    term.type(KEY.ctrlC);
    await term.ui.done;
  });

  it('picks a terminfo blessed can draw with', () => {
    expect(blessedTerminal('xterm-256color')).toBe('xterm-256color');
    expect(blessedTerminal('tmux-256color')).toBe('xterm-256color');
    expect(blessedTerminal('screen')).toBe('xterm');
    expect(blessedTerminal('linux')).toBe('linux');
    expect(blessedTerminal(undefined)).toBe('xterm');
  });
});
