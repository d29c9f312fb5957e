import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servesHost } from '../server/doors/served-hosts.js';
import { rawExchange } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

describe('the WebSocket door answers only to the hosts the BBS serves', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ caps: { hosts: ['bbs.example.org'] } });
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

  it('accepts 127.0.0.1, localhost, [::1] and a name given with --host', async () => {
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
