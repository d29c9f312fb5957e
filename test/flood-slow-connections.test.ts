/**
 * Slow and silent connections: on the front port a request (HTTP headers, a JSON socket's first
 * frame) must arrive whole within --header-timeout-ms, else 408 and closed; a telnet caller who
 * types nothing at all is hung up after --idle-before-typing, freeing the backend line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstDirectoryEntryFrom } from './support/directory-fetch.js';
import { jsonReplies, rawExchange } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { RawConnection } from './support/raw-connection.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

describe('the front port closes a connection that does not send a whole request in time', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ batch: true, caps: { headerTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('answers half-sent HTTP headers with 408 and closes', async () => {
    const answer = await rawExchange(bbs.frontPort, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain('The request did not arrive whole within 300 ms.');
    // A WebSocket handshake cut short likewise.
    expect(await rawExchange(bbs.frontPort, 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n')).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection that says nothing, without a word', async () => {
    const silent = await RawConnection.open(bbs.frontPort);
    await silent.closed;
    expect(silent.received).toBe('');
  });

  it("tells a JSON-socket caller whose first frame stops half-way, and closes", async () => {
    const answer = await rawExchange(bbs.frontPort, '@bbs {"type":"msg","msg":"conn');
    expect(jsonReplies(answer)).toEqual([{ type: 'exit', msg: 'Your first message did not arrive whole within 300 ms; closing the line.' }]);
  });

  it('closes a kept-alive connection left idle after its response, and one whose next request stops half-way', async () => {
    const idle = await RawConnection.open(bbs.frontPort);
    idle.write('GET /directory HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await idle.closed;
    expect(idle.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(idle.received).toContain('Connection: keep-alive');
    expect(idle.received).not.toContain('408');

    const second = await RawConnection.open(bbs.frontPort);
    second.write('GET /directory HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await second.until('"numbers"');
    second.write('GET /directory HTTP/1.1\r\nHo');
    await second.closed;
    expect(second.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('leaves a page caller on the line: once it is a WebSocket, silence is the backend to judge', async () => {
    const page = await WsCaller.open(bbs.frontPort);
    expect((await page.untilPrompt()).prompt?.msg).toContain("What's your name?");
    // A deadline has passed since the page connected.
    const later = await RawConnection.open(bbs.frontPort);
    await later.closed;
    expect((await page.exchange('slow_reader')).prompt?.msg).toContain('password');
    page.ws.close();
  });
});

describe('a telnet caller who says nothing at all', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ batch: true, lines: 2, handlerArgs: ['--idle-before-typing', '1'] });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('is told and hung up after --idle-before-typing, freeing the line; a caller who typed stays', async () => {
    const typed = await TelnetCaller.open(bbs.telnetPort, 'xterm');
    await typed.waitFor("What's your name?");
    await typed.type('early_bird', 'password');

    const silent = await TelnetCaller.open(bbs.telnetPort, 'xterm', '127.0.0.2');
    await silent.waitFor("What's your name?");
    expect((await firstDirectoryEntryFrom(bbs.frontPort)).inUse).toBe(2);
    await silent.waitFor('Nothing typed since you called (1 second), so the BBS is hanging up');
    await silent.whenClosed();
    await until(async () => ((await firstDirectoryEntryFrom(bbs.frontPort)).free === 1 ? true : undefined), 'the line to show free');

    // The one who typed was silent as long, but has said something: the limit before login applies.
    expect(typed.closed).toBe(false);
    await typed.type('early-pass-1', 'Sign up as early_bird?');
    typed.close();
  });
});
