import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSocketClient, rawExchange } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';


const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 9\r\nServer: m2bbs\r\n\r\nNot Found';
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 11\r\nServer: m2bbs\r\n\r\nBad Request';

describe('the JSON-socket door', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 2 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('answers exact `@bbs {json}\\0` bytes with base64 + NUL replies through a whole call', async () => {
    const got = await new Promise<string>((resolve) => {
      const socket = connect(bbs.frontPort, '127.0.0.1', () => socket.write('@bbs {"type":"msg","msg":"connect"}\0'));
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (received.split('\0').length >= 4) {
          socket.destroy();
          resolve(received);
        }
      });
    });
    const [dialled, first, second] = got.split('\0');
    expect(first).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(dialled ?? '', 'base64').toString('utf8'))).toEqual({ type: 'notice', msg: expect.stringMatching(/^ATDT @bbs\.1[01] \.\.\. CONNECT$/) });
    expect(JSON.parse(Buffer.from(first ?? '', 'base64').toString('utf8'))).toMatchObject({ type: 'screen', msg: expect.stringContaining('Welcome to the M2BBS.') });
    expect(JSON.parse(Buffer.from(second ?? '', 'base64').toString('utf8'))).toEqual({ type: 'prompt', seq: 1, msg: "What's your name? (new callers: pick one)", pchar: '> ' });

    const caller = await JsonSocketClient.open(bbs.frontPort, '@bbs.11');
    caller.send('connect');
    await caller.untilPrompt();
    await caller.exchange('json_caller');
    await caller.exchange('socket-pass');
    await caller.exchange('y');
    await caller.exchange('socket-pass');
    await caller.exchange('');
    await caller.exchange('1');
    await caller.exchange('Posted over a raw JSON socket.');
    expect((await caller.exchange('.')).texts[0]).toMatch(/^Your message is on the board as number \d+\.$/);
    expect((await caller.exchange('2')).texts.join('\n')).toContain('Posted over a raw JSON socket.');
    expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
    expect(await caller.exchange('q')).toMatchObject({ closed: true, texts: ['Alright, see ya later, json_caller.'] });
    expect(caller.errors).toEqual([]);
  });

  it('takes pipelined frames in one write', async () => {
    const caller = await JsonSocketClient.open(bbs.frontPort, '@bbs.10');
    caller.sendRaw(`@bbs.10 {"type":"msg","msg":"connect"}\0@bbs.10 {"type":"msg","msg":"piper"}\0`);
    await caller.untilPrompt();
    expect((await caller.untilPrompt()).prompt).toMatchObject({ msg: "What's your password?", echo: false });
    caller.destroy();
  });

  it('gives the Mongrel2 404 for an unknown route and the 400 for a body that is not {...}', async () => {
    expect(await rawExchange(bbs.frontPort, '@bbs.99 {"type":"msg","msg":"connect"}\0')).toBe(NOT_FOUND);
    expect(await rawExchange(bbs.frontPort, '@bbs [1,2]\0')).toBe(BAD_REQUEST);
  });

  it('closes one caller for oversized frames, invalid UTF-8 and binary junk, and serves the next', async () => {
    expect(await rawExchange(bbs.frontPort, `@bbs {"type":"msg","msg":"${'x'.repeat(70_000)}`)).toBe(BAD_REQUEST);
    expect(await rawExchange(bbs.frontPort, Buffer.concat([Buffer.from('@bbs {"type":"msg","msg":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\0')]))).toBe(BAD_REQUEST);
    expect(await rawExchange(bbs.frontPort, Buffer.from([0x40, 0xff, 0xfe, 0x00, 0x01, 0x00]))).toBe(BAD_REQUEST);
    const caller = await JsonSocketClient.open(bbs.frontPort);
    caller.send('connect');
    expect((await caller.untilPrompt()).prompt?.msg).toContain("What's your name?");
    caller.destroy();
  });

  it('swallows pings on @bbs as Mongrel2 does', async () => {
    const caller = await JsonSocketClient.open(bbs.frontPort);
    caller.sendRaw('@bbs {"type":"ping"}\0@bbs {"type":"msg","msg":"connect"}\0');
    expect((await caller.untilPrompt()).texts[1]).toContain('Welcome to the M2BBS.');
    caller.destroy();
  });
});
