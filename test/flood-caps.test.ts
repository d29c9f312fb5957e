/**
 * The proxy's caps on connections: per remote address, those not logged in yet (a hundred idle
 * telnet connections from one address leave a line for a caller from another; a caller stops
 * counting once logged in), and all connections, refused in each door's own form; the counts
 * come back to zero however a connection ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { firstDirectoryEntryFrom } from './support/directory-fetch.js';
import { until } from './support/process-tree.js';
import { RawConnection } from './support/raw-connection.js';
import { JsonSocketClient, jsonReplies } from './support/json-socket-client.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';
import { WsCaller } from './support/ws-caller.js';

const perAddress = (n: number): string => `Too many callers from your address are logging in at once (${n}); try again in a minute.`;
const total = (n: number): string => `The BBS has too many connections open right now (${n}); try again in a minute.`;

let bbs: TestBbs | undefined;
const opened: { destroy?(): void; close?(): void }[] = [];

afterEach(async () => {
  for (const connection of opened.splice(0)) (connection.destroy ?? connection.close)?.call(connection);
  await bbs?.close();
  bbs = undefined;
});

describe('the cap on connections from one address that have not logged in', () => {
  it('turns the 11th idle telnet connection from one address away, and a caller from another address still gets a line', async () => {
    const b = (bbs = await startTestBbs({ lines: 11, batch: true, caps: { maxPerAddress: 10 } }));
    const idle = await Promise.all(Array.from({ length: 100 }, () => RawConnection.open(b.telnetPort)));
    opened.push(...idle);
    // Let in: the telnet negotiation (IAC ...) starts at once; turned away: told, then closed.
    const outcomes = await Promise.all(idle.map((c) => Promise.race([c.until('\xff').then(() => 'in' as const), c.closed.then(() => 'out' as const)])));
    expect(outcomes.filter((o) => o === 'in')).toHaveLength(10);
    const refused = idle.filter((_, i) => outcomes[i] === 'out');
    expect(refused).toHaveLength(90);
    for (const c of refused) expect(c.received).toBe(`\r\n${perAddress(10)}\r\n`);
    expect(b.proxy.caps.loggingIn('127.0.0.1')).toBe(10);
    // The ten silent ones dial once the negotiation wait is over: ten lines of eleven taken.
    await until(async () => ((await firstDirectoryEntryFrom(b.frontPort)).inUse === 10 ? true : undefined), 'the idle connections to take their lines');

    const other = await TelnetCaller.open(b.telnetPort, 'xterm', '127.0.0.2');
    opened.push(other);
    await other.waitFor("What's your name?");
    expect(other.text).toContain('ATDT @bbs.10 ... CONNECT');
    expect(b.proxy.caps.loggingIn('127.0.0.2')).toBe(1);
    // The first address is still at its cap.
    const eleventh = await RawConnection.open(b.telnetPort);
    await eleventh.closed;
    expect(eleventh.received).toContain(perAddress(10));
  });

  it('stops counting a caller once they have logged in, so the next one from that address gets in', async () => {
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 1 } }));
    const first = await TelnetCaller.open(b.telnetPort, 'xterm');
    opened.push(first);
    await first.waitFor("What's your name?");
    const turnedAway = await RawConnection.open(b.telnetPort);
    await turnedAway.closed;
    expect(turnedAway.received).toContain(perAddress(1));

    await first.signUpToMenu('flooder', 'secret-pass-1');
    await until(() => (b.proxy.caps.loggingIn('127.0.0.1') === 0 ? true : undefined), 'the logged-in caller to stop counting');
    const second = await TelnetCaller.open(b.telnetPort, 'xterm');
    opened.push(second);
    await second.waitFor("What's your name?");
    // The first caller is still on the line, and counts in the total.
    expect(first.closed).toBe(false);
    expect(b.proxy.caps.open).toBe(2);
    const third = await RawConnection.open(b.telnetPort);
    await third.closed;
    expect(third.received).toContain(perAddress(1));
  });

  it('stops counting a page caller once logged in, and counts a JSON-socket caller like any other', async () => {
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 1 } }));
    const page = await WsCaller.open(b.frontPort);
    opened.push({ destroy: () => page.ws.terminate() });
    await page.untilPrompt();
    const json = await RawConnection.open(b.frontPort);
    json.write('@bbs {"type":"msg","msg":"connect"}\0');
    await json.closed;
    expect(jsonReplies(json.received)).toEqual([{ type: 'exit', msg: perAddress(1) }]);

    await page.exchange('page_flooder');
    await page.exchange('page-pass-1');
    await page.exchange('y');
    await page.exchange('page-pass-1');
    expect((await page.exchange('')).prompt?.msg).toContain('MAIN MENU');
    await until(() => (b.proxy.caps.loggingIn('127.0.0.1') === 0 ? true : undefined), 'the logged-in page caller to stop counting');
    const next = await JsonSocketClient.open(b.frontPort);
    opened.push(next);
    next.send('connect');
    expect((await next.untilPrompt()).prompt?.msg).toContain("What's your name?");
  });
});

describe('the cap on all connections', () => {
  it('turns the next connection away on every door, in its own form, until one closes', async () => {
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxConnections: 3, maxPerAddress: 0 } }));
    // Held open on the front port, where a connection that says nothing dials nothing.
    const held = await Promise.all([RawConnection.open(b.frontPort), RawConnection.open(b.frontPort), RawConnection.open(b.frontPort, '127.0.0.2')]);
    opened.push(...held);
    await until(() => (b.proxy.caps.open === 3 ? true : undefined), 'three connections counted');

    const telnet = await RawConnection.open(b.telnetPort, '127.0.0.3');
    await telnet.closed;
    expect(telnet.received).toBe(`\r\n${total(3)}\r\n`);
    const json = await RawConnection.open(b.frontPort);
    json.write('@bbs {"type":"msg","msg":"connect"}\0');
    await json.closed;
    expect(jsonReplies(json.received)).toEqual([{ type: 'exit', msg: total(3) }]);
    const http = await RawConnection.open(b.frontPort);
    http.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    await http.closed;
    expect(http.received).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(http.received).toContain(total(3));
    // Nothing refused reached a backend.
    expect(b.proxy.switchboard.activeCalls).toBe(0);

    held[0]?.destroy();
    await until(() => (b.proxy.caps.open === 2 ? true : undefined), 'the closed connection to be counted out');
    const caller = await TelnetCaller.open(b.telnetPort, 'xterm');
    opened.push(caller);
    await caller.waitFor("What's your name?");
  });
});

describe('the counts after connections close', () => {
  it('come back to zero however a connection ended: reset mid-negotiation, a bad frame, refused, timed out, logged in then hung up', async () => {
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 2, headerTimeoutMs: 300 } }));
    const settled = (): Promise<true> =>
      until(() => (b.proxy.caps.open === 0 && b.proxy.caps.loggingIn('127.0.0.1') === 0 ? true : undefined), 'every count back to zero');

    // Reset by the client in the middle of the telnet negotiation.
    const reset = await RawConnection.open(b.telnetPort);
    await reset.until('\xff');
    expect(b.proxy.caps.loggingIn('127.0.0.1')).toBe(1);
    reset.reset();
    await settled();

    // A page caller reset once its call is up (the proxy's socket errors).
    const page = await WsCaller.open(b.frontPort);
    await page.untilPrompt();
    expect(b.proxy.caps.open).toBe(1);
    page.ws.terminate();
    await settled();

    // A JSON socket whose first frame is no frame: told 400 and closed.
    const bad = await RawConnection.open(b.frontPort);
    bad.write('@bbs not-json\0');
    await bad.closed;
    expect(bad.received).toMatch(/^HTTP\/1\.1 400 /);
    await settled();

    // Refused at the cap while two others log in, then those two closed.
    const two = await Promise.all([RawConnection.open(b.telnetPort), RawConnection.open(b.telnetPort)]);
    opened.push(...two);
    await until(() => (b.proxy.caps.loggingIn('127.0.0.1') === 2 ? true : undefined), 'two counted');
    const refused = await RawConnection.open(b.telnetPort);
    await refused.closed;
    expect(refused.received).toContain(perAddress(2));
    for (const c of two) c.destroy();
    await settled();

    // Timed out on the front port: half a request, then 408.
    const slow = await RawConnection.open(b.frontPort);
    slow.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await slow.closed;
    expect(slow.received).toMatch(/^HTTP\/1\.1 408 /);
    await settled();

    // Logged in, then hung up.
    const caller = await TelnetCaller.open(b.telnetPort, 'xterm');
    opened.push(caller);
    await caller.signUpToMenu('counted_once', 'counted-pass-1');
    await until(() => (b.proxy.caps.loggingIn('127.0.0.1') === 0 ? true : undefined), 'the logged-in caller to stop counting against the address');
    expect(b.proxy.caps.open).toBe(1);
    caller.close();
    await settled();
    expect(b.proxy.switchboard.activeCalls).toBe(0);
  });
});
