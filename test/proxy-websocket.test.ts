import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';


describe('the HTTP and WebSocket door', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('serves the page and its xterm.js from the proxy itself', async () => {
    const page = await fetch(bbs.httpUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('/xterm/xterm.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['/page.js', '/page.css', '/xterm/xterm.js', '/xterm/xterm.css', '/xterm/addon-fit.js']) {
      expect((await fetch(new URL(asset, bbs.httpUrl))).status, asset).toBe(200);
    }
    expect((await fetch(new URL('/etc/passwd', bbs.httpUrl))).status).toBe(404);
    expect((await fetch(bbs.httpUrl, { method: 'POST' })).status).toBe(405);
  });

  it('carries a whole conversation over WebSocket, dialling for the page', async () => {
    const caller = await WsCaller.open(bbs.frontPort);
    const [dialled, welcome] = (await caller.untilPrompt()).texts;
    expect(dialled).toBe('ATDT @bbs.10 ... CONNECT');
    expect(welcome).toContain('Welcome to the M2BBS.');
    await caller.exchange('web_caller');
    expect((await caller.exchange('web-pass-1')).prompt?.msg).toContain('Sign up as web_caller?');
    await caller.exchange('y');
    await caller.exchange('web-pass-1');
    await caller.exchange('');
    await caller.exchange('1');
    await caller.exchange('Posted from the page.');
    await caller.exchange('.');
    const board = await caller.exchange('2');
    expect(board.texts.join('\n')).toContain('Posted from the page.');
    // The end of the board asks (R replies, Enter goes on) before the menu.
    expect(board.prompt?.msg).toContain("That's all in General.");
    await caller.exchange('');
    const bye = await caller.exchange('Q');
    expect(bye).toMatchObject({ closed: true, texts: ['Alright, see ya later, web_caller.'] });
    expect(caller.closeCode).toBe(1000);
  });

  it('closes a caller who sends binary frames or something other than a line, with a message', async () => {
    const binary = await WsCaller.open(bbs.frontPort);
    await binary.untilPrompt();
    binary.ws.send(Buffer.from([1, 2, 3]));
    const afterBinary = await binary.untilPrompt();
    expect(afterBinary.texts).toEqual(['Binary messages are not accepted; closing the line.']);
    expect(binary.closeCode).toBe(1003);

    const junk = await WsCaller.open(bbs.frontPort);
    await junk.untilPrompt();
    junk.ws.send('{"type":"msg","msg":42}');
    expect((await junk.untilPrompt()).texts).toEqual(['Expected {"type":"msg","msg":"a line"}; closing the line.']);
    expect(junk.closeCode).toBe(1007);

    const huge = await WsCaller.open(bbs.frontPort);
    await huge.untilPrompt();
    huge.ws.send(JSON.stringify({ type: 'msg', msg: 'x'.repeat(70_000) }));
    expect((await huge.untilPrompt()).closed).toBe(true);
    expect(huge.closeCode).toBe(1009);
  });

  it('refuses other sites, unknown numbers and paths, and answers junk HTTP with 400, and goes on', async () => {
    await expect(WsCaller.open(bbs.frontPort, '/ws', { origin: 'http://evil.example' })).rejects.toThrow('403');
    await expect(WsCaller.open(bbs.frontPort, '/ws?route=@bbs.99')).rejects.toThrow('404');
    await expect(WsCaller.open(bbs.frontPort, '/nope')).rejects.toThrow('404');
    expect(await rawExchange(bbs.frontPort, 'BLAH\x01\x02 / HTTP/9\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(await rawExchange(bbs.frontPort, Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]))).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    // Found by the fuzz: a target of `//` once made the URL parser throw and took the proxy down.
    expect(await rawExchange(bbs.frontPort, 'GET // HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 Not Found/);
    expect(await rawExchange(bbs.frontPort, 'GET http:// HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(await rawExchange(bbs.frontPort, 'GET // HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')).toMatch(/^HTTP\/1\.1 404 Not Found/);
    const caller = await WsCaller.open(bbs.frontPort, '/ws?route=@bbs.10');
    expect((await caller.untilPrompt()).prompt?.msg).toContain("What's your name?");
    caller.ws.close();
  });
});
