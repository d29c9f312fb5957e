/**
 * The front port answers only to the hosts the BBS serves (against DNS rebinding): the page, its
 * files, /directory and the WebSocket all refuse a foreign Host with 421, and the refusals log
 * one line per address a minute.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { servesHost } from '../server/doors/served-hosts.js';
import { rawExchange } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

/** One plain HTTP request with the given Host: its status and body. */
function fetchAs(port: number, path: string, host: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const logged: Record<string, unknown>[] = [];

describe('the front port answers only to the hosts the BBS serves', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    const log = createLogger('warn', { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    bbs = await startTestBbs({ caps: { hosts: ['bbs.example.org'] }, log });
  });
  afterAll(async () => {
    await bbs.close();
  });

  async function dialsThrough(headers: Record<string, string>): Promise<string | undefined> {
    const caller = await WsCaller.open(bbs.frontPort, '/ws', headers);
    const turn = await caller.untilPrompt();
    caller.ws.close();
    return turn.prompt?.msg;
  }

  it('refuses a handshake naming a foreign Host (DNS rebinding), with 421 and a short body', async () => {
    const port = bbs.frontPort;
    for (const host of ['evil.example', `evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `bbs.example.org.evil.example`]) {
      await expect(WsCaller.open(port, '/ws', { Host: host, Origin: `http://${host}` }), host).rejects.toThrow('HTTP 421');
    }
    const answer = await rawExchange(port, `GET /ws HTTP/1.1\r\nHost: rebound.example:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n/);
    expect(answer.endsWith('\r\n\r\nThis BBS does not answer to that host name.\n')).toBe(true);
    // Nobody was dialled for them.
    expect(bbs.proxy.switchboard.activeCalls).toBe(0);
  });

  it('refuses the page, its files and /directory to a foreign Host with 421, and logs it once a minute per address', async () => {
    const port = bbs.frontPort;
    for (const path of ['/', '/index.html', '/page.js', '/xterm/xterm.css', '/directory', '/favicon.ico', '/nowhere']) {
      for (const host of [`rebound.example:${port}`, 'evil.example']) {
        const answer = await fetchAs(port, path, host);
        expect(answer, `${path} as ${host}`).toEqual({ status: 421, body: 'This BBS does not answer to that host name.\n' });
      }
    }
    expect((await fetchAs(port, '/directory', 'evil.example', 'HEAD')).status).toBe(421);
    // HTTP/1.0 without a Host at all names no host the BBS serves either.
    expect(await rawExchange(port, 'GET /directory HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n/);
    // Every refusal in this file came from 127.0.0.1 within a minute: one line.
    const lines = logged.filter((l) => l.code === 'BBS_ERR_FOREIGN_HOST');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', remote: '127.0.0.1', refused: 1, flag: '--host' });
  });

  it('serves the page, its files and /directory to 127.0.0.1, localhost, [::1] and a --host name', async () => {
    const port = bbs.frontPort;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'BBS.example.org']) {
      const page = await fetchAs(port, '/', host);
      expect(page.status, host).toBe(200);
      expect(page.body).toContain('<html');
      expect((await fetchAs(port, '/page.js', host)).status).toBe(200);
      const directory = await fetchAs(port, '/directory', host);
      expect(directory.status).toBe(200);
      expect(JSON.parse(directory.body)).toHaveProperty('numbers');
    }
  });

  it('accepts a WebSocket naming 127.0.0.1, localhost, [::1] and a name given with --host', async () => {
    const port = bbs.frontPort;
    expect(await dialsThrough({})).toContain("What's your name?");
    expect(await dialsThrough({ Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).toContain("What's your name?");
    expect(await dialsThrough({ Host: `[::1]:${port}` })).toContain("What's your name?");
    expect(await dialsThrough({ Host: `BBS.Example.org:${port}`, Origin: `http://bbs.example.org:${port}` })).toContain("What's your name?");
    expect(await dialsThrough({ Host: 'bbs.example.org.' })).toContain("What's your name?");
  });

  it('reads Host values strictly', () => {
    const names = new Set(['bbs.example.org']);
    expect(servesHost('10.0.0.5:6767', names)).toBe(true);
    expect(servesHost('[fe80::1]', names)).toBe(true);
    expect(servesHost('[fe80::1]junk', names)).toBe(false);
    expect(servesHost('[not-v6]:80', names)).toBe(false);
    expect(servesHost(undefined, names)).toBe(false);
    expect(servesHost('', names)).toBe(false);
    expect(servesHost('bbs.example.org:80:80', names)).toBe(false);
    expect(servesHost('999.1.1.1', names)).toBe(false);
  });
});
