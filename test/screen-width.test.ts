import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePrompt } from '../common/bbs-messages.js';
import { encodeReply, isDisconnect } from '../common/mongrel2-wire.js';
import { textColumns } from '../handler/text-wrap.js';
import { startProxyWithHandler } from './support/proxy-with-handler.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

// What a terminal would show, line by line: colour codes take no room.
const shownLines = (text: string): string[] => text.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '').split(/\r?\n/);
const widest = (text: string): number => Math.max(...shownLines(text).map(textColumns));
// A phrase as it may show wrapped: any run of spaces may have become a line break.
const wrapped = (phrase: string): RegExp => new RegExp(phrase.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'));
const POST =
  'Forty columns is what a phone shows in portrait, and words that break in the middle of themselves make a board hard to read there, so this post is long enough to need three or four lines.';

describe('screens wrapped to the width telnet callers tell (NAWS)', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ telnetNegotiationMs: 300 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('a 40-column caller reads a long post and long screens with no line over 40 and no word broken; after a resize to 60 the next screen is 60 wide', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm', undefined, { width: 40, height: 24 });
    try {
      await telnet.waitFor("What's your name?");
      await telnet.type('narrow', "What's your password?");
      await telnet.type('narrow-pw', wrapped('Sign up as narrow?'));
      await telnet.type('y', wrapped('same password again'));
      await telnet.type('narrow-pw', wrapped('Do you want to continue?'));
      await telnet.type('', 'MAIN MENU');
      // leave_msg.txt is one line of 123 characters.
      const asked = await telnet.type('1', wrapped('A line with only a . on it'));
      expect(asked).toContain('Leave a message:');
      await telnet.type(POST, /> (\x1b\[0m)?$/);
      await telnet.type('.', 'MAIN MENU');
      const board = await telnet.type('2', "That's all in");
      expect(board).toContain('from narrow');
      await telnet.type('', 'MAIN MENU');

      // Everything the BBS wrote, minus the one line the caller typed (echoed as typed).
      const shown = telnet.text.replace(POST, '');
      expect(widest(shown)).toBeLessThanOrEqual(40);
      const words = shownLines(board).join(' ').split(/\s+/);
      for (const word of POST.split(' ')) expect(words).toContain(word);
      expect(shownLines(asked).some((line) => line.startsWith('characters. A line with only a . on it'))).toBe(false);

      telnet.resize(60, 24);
      await telnet.synced();
      const wider = await telnet.type('2', "That's all in");
      expect(widest(wider)).toBeLessThanOrEqual(60);
      expect(widest(wider)).toBeGreaterThan(40);
      for (const word of POST.split(' ')) expect(shownLines(wider).join(' ').split(/\s+/)).toContain(word);
    } finally {
      telnet.close();
    }
  });

  it('a caller whose terminal tells no size gets screens wrapped at 80', async () => {
    const nc = await TelnetCaller.open(bbs.telnetPort, null);
    try {
      await nc.waitFor("What's your name?");
      await nc.type('wide', "What's your password?");
      await nc.type('wide-pw', wrapped('Sign up as wide?'));
      await nc.type('y', wrapped('same password again'));
      await nc.type('wide-pw', wrapped('Do you want to continue?'));
      await nc.type('', 'MAIN MENU');
      const asked = await nc.type('1', wrapped('A line with only a . on it'));
      expect(widest(asked)).toBeLessThanOrEqual(80);
      expect(widest(asked)).toBeGreaterThan(60);
      await nc.type('.', 'MAIN MENU');
    } finally {
      nc.close();
    }
  });
});

describe('the WebSocket door takes the page terminal width', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('from the call (/ws?cols=N) and from {"type":"size","cols":N}; a size that is no width is ignored, and the line stays up', async () => {
    const page = await WsCaller.open(bbs.frontPort, '/ws?cols=30');
    try {
      const first = await page.untilPrompt();
      expect(first.prompt?.msg).toBe("What's your name? (new\ncallers: pick one)");
      for (const bad of [{ type: 'size', cols: 'wide' }, { type: 'size', cols: -4 }, { type: 'size' }, { type: 'size', cols: { n: 1 } }, { type: 'size', cols: 2.5 }]) page.ws.send(JSON.stringify(bad));
      const asked = await page.exchange('sizer');
      expect(asked.prompt?.msg).toBe("What's your password?");
      page.ws.send(JSON.stringify({ type: 'size', cols: 5000 }));
      await page.exchange('sizer-pw-1');
      await page.exchange('y');
      await page.exchange('sizer-pw-1');
      const menu = await page.exchange('');
      expect(menu.prompt?.msg).toContain('MAIN MENU');
      page.ws.send(JSON.stringify({ type: 'size', cols: 45 }));
      const leave = await page.exchange('1');
      const text = leave.texts.join('\n');
      expect(widest(text)).toBeLessThanOrEqual(45);
      expect(widest(text)).toBeGreaterThan(30);
      expect(page.closeCode).toBeUndefined();
    } finally {
      page.ws.close();
    }
  });
});

describe('a width past what a terminal can be is clamped before a backend hears it', () => {
  it('the page says 5000 columns, then 3: the backend is told 250, then 20', async () => {
    const bbs = await startProxyWithHandler();
    const page = await WsCaller.open(bbs.proxy.front.port, '/ws?cols=5000');
    try {
      const columns = async (): Promise<unknown> => {
        const request = await bbs.handler.next((r) => !isDisconnect(r));
        await bbs.handler.reply(encodeReply(request.uuid, [request.connId], encodePrompt({ msg: 'Go on.', pchar: '> ' })));
        return request.headers.COLUMNS;
      };
      expect(await columns()).toBe('250');
      page.ws.send(JSON.stringify({ type: 'size', cols: 3 }));
      page.ws.send(JSON.stringify({ type: 'msg', msg: 'narrow' }));
      expect(await columns()).toBe('20');
    } finally {
      page.ws.close();
      await bbs.close();
    }
  });
});
