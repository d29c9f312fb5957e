/**
 * Half a password typed at a secret prompt, then a prompt that echoes (after a line moved, the
 * conversation may start again at the name prompt): telnet and `m2bbs dial` drop what was typed,
 * never show it and never send it. A plain Mongrel2 handler behind the real proxy sends the prompts.
 */
import { describe, expect, it } from 'vitest';
import { scriptedHandlerPerTest, typedLine } from './support/scripted-handler.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { dialInputRow, hasTmux, terminalPerTest } from './support/tmux.js';

const PASSWORD = JSON.stringify({ type: 'prompt', msg: 'Password?', pchar: '> ', echo: false });
const NAME = JSON.stringify({ type: 'prompt', msg: "What's your name?", pchar: '> ' });
const SAME_AGAIN = JSON.stringify({ type: 'prompt', msg: 'Password again?', pchar: '> ', echo: false });
const THANKS = JSON.stringify({ type: 'prompt', msg: 'Thanks.', pchar: '> ' });
// CI installs tmux and sets M2BBS_REQUIRE_TMUX, so there this can't be skipped.
const haveTmux = hasTmux();
if (!haveTmux && process.env.M2BBS_REQUIRE_TMUX) throw new Error('tmux is required here: apt-get install tmux');
if (!haveTmux) console.warn('tmux not installed (apt-get install tmux): the m2bbs dial test of a secret prompt is not run');

describe('half a password, then a prompt that echoes', () => {
  const bbs = scriptedHandlerPerTest();
  const { nextLine, say } = bbs;

  it('over telnet: the half-typed password is dropped, the name sent is exactly what was typed after', async () => {
    const { proxy } = bbs;
    const telnet = await TelnetCaller.open(proxy.telnet.port, 'dumb');
    try {
      const call = await nextLine();
      expect(typedLine(call)).toBe('connect');
      await say(call, PASSWORD);
      await telnet.waitFor('Password?\r\n> ');
      telnet.sendRaw('hunt');
      await telnet.synced();
      await say(call, NAME);
      await telnet.waitFor("What's your name?\r\n> ");
      expect(await telnet.type('carol', 'carol\r\n')).not.toContain('hunt');
      expect(typedLine(await nextLine())).toBe('carol');
      expect(telnet.text).not.toContain('hunt');
    } finally {
      telnet.close();
    }
  });

  it('over telnet: kept hidden from one secret prompt to the next, and an echoed half line kept and shown', async () => {
    const { proxy } = bbs;
    const telnet = await TelnetCaller.open(proxy.telnet.port, 'dumb');
    try {
      const call = await nextLine();
      await say(call, PASSWORD);
      await telnet.waitFor('Password?\r\n> ');
      telnet.sendRaw('hunt');
      await telnet.synced();
      await say(call, SAME_AGAIN);
      await telnet.waitFor('Password again?\r\n> ');
      await telnet.type('er22', '\r\n');
      expect(typedLine(await nextLine())).toBe('hunter22');
      await say(call, NAME);
      await telnet.waitFor("What's your name?\r\n> ");
      telnet.sendRaw('car');
      await telnet.waitFor("What's your name?\r\n> car");
      await say(call, THANKS);
      await telnet.waitFor('Thanks.\r\n> car');
      await telnet.type('ol', 'ol\r\n');
      expect(typedLine(await nextLine())).toBe('carol');
      expect(telnet.text).toContain('Thanks.\r\n> carol\r\n');
      expect(telnet.text).not.toContain('hunt');
    } finally {
      telnet.close();
    }
  });

  it('over telnet: the half-typed password is dropped when the line drops, so Q at the redial offer hangs up', async () => {
    const { proxy, handler } = bbs;
    const telnet = await TelnetCaller.open(proxy.telnet.port, 'dumb');
    try {
      const call = await nextLine();
      await say(call, PASSWORD);
      await telnet.waitFor('Password?\r\n> ');
      telnet.sendRaw('hunt');
      await telnet.synced();
      handler.close();
      await telnet.waitFor('type Q and Enter to hang up.');
      // Had "hunt" been kept, "huntQ" would not be Q and the door would redial.
      await telnet.type('Q', 'Bye.');
      await telnet.whenClosed();
      expect(telnet.text).not.toContain('hunt');
    } finally {
      telnet.close();
    }
  });

  describe.runIf(haveTmux)('in m2bbs dial, in a real terminal (tmux)', () => {
    const terminal = terminalPerTest();

    it('drops the masked half-typed password from the input line and sends only what is typed after', async () => {
      const { proxy } = bbs;
      const t = terminal();
      await t.dial(`127.0.0.1:${proxy.front.port}`);
      const inputRow = dialInputRow;
      const call = await nextLine();
      expect(typedLine(call)).toBe('connect');
      await say(call, PASSWORD);
      await t.until((s) => s.includes('Password?') && inputRow(s).startsWith('>'), 'the password prompt');
      t.send('hunt');
      await t.until((s) => inputRow(s) === '> ****', 'the masked half-typed password');

      await say(call, NAME);
      const named = await t.until((s) => s.includes("What's your name?"), 'the name prompt');
      expect(inputRow(named).trimEnd()).toBe('>');
      expect(named).not.toContain('hunt');
      t.send('carol');
      expect(inputRow(await t.until((s) => inputRow(s).startsWith('> carol'), 'the name typed'))).toBe('> carol');
      t.send('', 'Enter');
      expect(typedLine(await nextLine())).toBe('carol');
      expect(t.capture()).not.toContain('hunt');
      t.send('', 'C-c');
      await t.shellBack();
    });
  });
});
