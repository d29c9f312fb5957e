/**
 * How fast one address may open connections (`--connections-per-minute`): as many as the limit at
 * once, then one every 60/limit seconds; the next is told when to try again and closed, another
 * address is not held up, and the refusals are logged once a minute, not a line each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { ConnectionRate } from '../server/connection-rate.js';
import { RawConnection } from './support/raw-connection.js';
import { RawWebSocket } from './support/raw-websocket.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

let bbs: TestBbs | undefined;
const opened: RawConnection[] = [];
afterEach(async () => {
  for (const connection of opened.splice(0)) connection.destroy();
  await bbs?.close();
  bbs = undefined;
});

describe('connections one address may open a minute', () => {
  it('lets the limit in at once, then one every 60/limit seconds, each address its own', () => {
    let now = 1_000_000;
    const rate = new ConnectionRate(3, () => now);
    expect([1, 2, 3, 4].map(() => rate.take('10.0.0.1'))).toEqual([0, 0, 0, 20]);
    expect(rate.take('10.0.0.2')).toBe(0);
    now += 15_000;
    expect(rate.take('10.0.0.1')).toBe(5);
    now += 5_000;
    expect(rate.take('10.0.0.1')).toBe(0);
    expect(rate.take('10.0.0.1')).toBe(20);
  });

  it('tells a caller past it when to try again and closes, lets another address in, and logs it once', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger('warn', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const b = (bbs = await startTestBbs({ caps: { connectionsPerMinute: 3 }, log }));
    for (let i = 0; i < 3; i++) {
      const inside = await RawConnection.open(b.telnetPort);
      opened.push(inside);
      await inside.until("What's your name?");
      inside.destroy();
    }
    for (let i = 0; i < 5; i++) {
      const refused = await RawConnection.open(b.telnetPort);
      opened.push(refused);
      await refused.closed;
      expect(refused.received).toMatch(/Too many calls from your address in the last minute \(3 a minute at most\); try again in \d{1,2} s\./);
    }
    // Over HTTP (the page), a 503 whose Retry-After is the wait the text gives.
    const page = await RawConnection.open(b.frontPort);
    opened.push(page);
    page.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${b.frontPort}\r\n\r\n`);
    await page.closed;
    const wait = /try again in (\d+) s\./.exec(page.received)?.[1];
    expect(page.received).toMatch(/^HTTP\/1\.1 503 /);
    expect(page.received.toLowerCase()).toContain(`retry-after: ${wait ?? 'none'}\r\n`);
    // The page's WebSocket is answered, told the same in a notice, and closed "try again later"
    // (a browser shows nothing of a refused handshake: the page would say the BBS may be down).
    const ws = await RawWebSocket.open(b.frontPort);
    expect(await ws.closeFrame()).toMatchObject({ code: 1013 });
    expect(ws.messages()).toEqual([{ type: 'notice', msg: expect.stringMatching(/^Too many calls from your address in the last minute \(3 a minute at most\); try again in \d+ s\.$/) }]);
    ws.destroy();
    // Not for another site's page, nor another path: a 503 as for any other request.
    for (const [path, origin] of [['/ws', 'http://evil.example'], ['/nope', `http://127.0.0.1:${b.frontPort}`]]) {
      const foreign = await RawConnection.open(b.frontPort);
      opened.push(foreign);
      foreign.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${b.frontPort}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      await foreign.closed;
      expect(foreign.received).toMatch(/^HTTP\/1\.1 503 /);
    }
    const other = await RawConnection.open(b.telnetPort, '127.0.0.2');
    opened.push(other);
    await other.until("What's your name?");
    const warned = lines.filter((l) => l.flag === '--connections-per-minute');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ code: 'BBS_ERR_CONNECTION_CAP', remote: '127.0.0.1', perMinute: 3 });
  });
});
