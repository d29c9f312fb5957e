/**
 * Every refusal the proxy logs per connection is bounded (server/refusal-log.ts): a flood of one
 * kind from one address logs one line a minute, and a flood from many addresses logs at most ten
 * lines a minute in all, then one summary line; the next line, a minute on, says how many were
 * not logged. Counted in real log records of a real proxy on real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, type Logger } from '../common/log.js';
import { DEFAULT_REFUSAL_LOG_LIMITS } from '../common/refusal-limit.js';
import { createRefusalLog } from '../server/refusal-log.js';
import { until } from './support/process-tree.js';
import { JsonSocketClient, jsonReplies } from './support/json-socket-client.js';
import { RawConnection } from './support/raw-connection.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

type Line = Record<string, unknown>;

/** A logger at `info` whose lines are kept, parsed. */
function keptLog(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { log: createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Line) }), lines };
}

const SUMMARY = 'refusals: too many to log each; counted until the next minute';
const BUDGET = DEFAULT_REFUSAL_LOG_LIMITS.linesPerWindow;
/** Addresses of a many-address flood: more than the budget, all loopback (127.0.8.x). */
const MANY = 30;
const from = (i: number): string => `127.0.8.${i + 1}`;

let bbs: TestBbs | undefined;
const open: { destroy(): void }[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.destroy();
  await bbs?.close();
  bbs = undefined;
});

/** One connection from `local` that writes `bytes` and is closed or reset by the proxy: what it received. */
async function refusedOnce(port: number, bytes: string, local?: string): Promise<string> {
  const c = await RawConnection.open(port, local);
  open.push(c);
  c.write(bytes);
  await c.closed;
  return c.received;
}

const JSON_TO_NOWHERE = (i: number): string => `@nope${i} ${JSON.stringify({ type: 'msg', msg: 'connect' })}\0`;
// Five requests at once, one more than a connection may have unanswered: reset at the fifth.
const PIPELINED = 'GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(5);
const FOREIGN = 'GET /favicon.ico HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n';
const DIAL_BBS = `@bbs ${JSON.stringify({ type: 'msg', msg: 'connect' })}\0`;

/** A BBS whose one line is taken by a JSON-socket caller, so every other caller is told all lines are busy. */
async function oneLineTaken(b: TestBbs): Promise<void> {
  const holder = await JsonSocketClient.open(b.frontPort);
  open.push(holder);
  await holder.exchange('connect');
}

/** The text a refused caller saw: HTTP as it is, a JSON socket's replies decoded. */
const seen = (received: string): string => (received.startsWith('HTTP/') ? received : jsonReplies(received).map((r) => r.msg).join('\n'));

describe.each([
  { kind: 'json socket refused', msg: 'json socket refused', bytes: JSON_TO_NOWHERE, answer: '404', lines: undefined },
  { kind: 'pipelining', msg: 'connection reset: too many pipelined requests', bytes: () => PIPELINED, answer: undefined, lines: undefined },
  { kind: 'foreign Host', msg: 'http request refused: Host is not a name this BBS serves', bytes: () => FOREIGN, answer: '421', lines: undefined },
  { kind: 'all lines busy', msg: 'all lines busy', bytes: () => DIAL_BBS, answer: 'All lines are busy', lines: 1 },
])('a flood of $kind', ({ msg, bytes, answer, lines: bbsLines }) => {
  const start = async (log: Logger): Promise<TestBbs> => {
    const b = (bbs = await startTestBbs({ batch: true, log, ...(bbsLines === undefined ? {} : { lines: bbsLines }) }));
    if (bbsLines !== undefined) await oneLineTaken(b);
    return b;
  };

  it('from one address logs one line', async () => {
    const { log, lines } = keptLog();
    const b = await start(log);
    for (let i = 0; i < 60; i++) {
      const received = await refusedOnce(b.frontPort, bytes(i), '127.0.8.200');
      if (answer !== undefined) expect(seen(received)).toContain(answer);
    }
    const refused = lines.filter((l) => l.msg === msg);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ remote: '127.0.8.200', refused: 1 });
    expect(lines.filter((l) => l.msg === SUMMARY)).toHaveLength(0);
  });

  it(`from ${MANY} addresses logs ${BUDGET} lines and one summary`, async () => {
    const { log, lines } = keptLog();
    const b = await start(log);
    for (let i = 0; i < MANY; i++) {
      for (let n = 0; n < 3; n++) {
        const received = await refusedOnce(b.frontPort, bytes(i), from(i));
        if (answer !== undefined) expect(seen(received)).toContain(answer);
      }
    }
    const refused = lines.filter((l) => l.msg === msg);
    expect(refused).toHaveLength(BUDGET);
    expect(refused.map((l) => l.remote)).toEqual(Array.from({ length: BUDGET }, (_, i) => from(i)));
    expect(lines.filter((l) => l.msg === SUMMARY)).toHaveLength(1);
  });
});

/** A page caller from `local` that sends a binary message, which closes its line: the close code. */
async function binaryRefused(port: number, local: string): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { localAddress: local });
  open.push({ destroy: () => ws.terminate() });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.once('open', () => ws.send(Buffer.from([1, 2, 3]), { binary: true }));
  ws.on('error', () => {});
  return closed;
}

describe('a flood of binary WebSocket messages', () => {
  it('from one address logs one line, and from many the budget and a summary', async () => {
    const { log, lines } = keptLog();
    const b = (bbs = await startTestBbs({ batch: true, log }));
    const refusedLines = (): Line[] => lines.filter((l) => l.msg === 'websocket message refused');
    for (let i = 0; i < 20; i++) expect(await binaryRefused(b.frontPort, '127.0.8.200')).toBe(1003);
    expect(refusedLines()).toHaveLength(1);
    for (let i = 0; i < MANY; i++) expect(await binaryRefused(b.frontPort, from(i))).toBe(1003);
    expect(refusedLines()).toHaveLength(BUDGET);
    expect(lines.filter((l) => l.msg === SUMMARY)).toHaveLength(1);
  });
});

describe.each([
  { kind: 'requests not whole in time', msg: 'connection closed: request not whole in time', door: 'front', bytes: 'GET / HTTP/1.1\r\n', answer: '408' },
  // A NUL is refused at once (a single Ctrl-A only rings the bell and keeps the line).
  { kind: 'telnet input refused', msg: 'telnet caller refused', door: 'telnet', bytes: '\u0000', answer: 'closing the line' },
] as const)('a flood of $kind', ({ msg, door, bytes, answer }) => {
  it(`from one address logs one line, and from ${MANY} the budget and one summary`, async () => {
    const { log, lines } = keptLog();
    const b = (bbs = await startTestBbs({ batch: true, log, caps: { headerTimeoutMs: 300, maxPerAddress: 0 } }));
    const port = door === 'front' ? b.frontPort : b.telnetPort;
    // All at once: the proxy closes each when its deadline passes, or at the byte it refuses.
    const flood = async (locals: string[]): Promise<void> => {
      for (const received of await Promise.all(locals.map((local) => refusedOnce(port, bytes, local)))) expect(received).toContain(answer);
    };
    await flood(Array.from({ length: 20 }, () => '127.0.8.200'));
    expect(lines.filter((l) => l.msg === msg)).toHaveLength(1);
    await flood(Array.from({ length: MANY }, (_, i) => from(i)));
    expect(lines.filter((l) => l.msg === msg)).toHaveLength(BUDGET);
    expect(lines.filter((l) => l.msg === SUMMARY)).toHaveLength(1);
  });
});

describe('the caps refusing many addresses', () => {
  it(`log ${BUDGET} lines and one summary, and every kind of refusal shares the budget`, async () => {
    const { log, lines } = keptLog();
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 1 }, log }));
    for (let i = 0; i < MANY; i++) {
      // One connection in (counted until it logs in), the next from that address refused.
      const inside = await RawConnection.open(b.telnetPort, from(i));
      open.push(inside);
      await until(() => (b.proxy.caps.loggingIn(from(i)) === 1 ? true : undefined), 'the first to be counted');
      const received = await refusedOnce(b.telnetPort, '', from(i));
      expect(received).toContain('Too many callers from your address');
    }
    expect(lines.filter((l) => l.code === 'BBS_ERR_CONNECTION_CAP')).toHaveLength(BUDGET);
    expect(lines.filter((l) => l.msg === SUMMARY)).toHaveLength(1);
    // The budget is spent for the minute: another kind from a new address is only counted.
    expect(await refusedOnce(b.frontPort, FOREIGN, '127.0.9.1')).toContain('421');
    expect(lines.filter((l) => l.code === 'BBS_ERR_FOREIGN_HOST')).toHaveLength(0);
  });
});

describe('the refusal log over minutes (a clock the test moves)', () => {
  it('writes a line a minute per address with the count since, and says how many were not logged', () => {
    const { log, lines } = keptLog();
    let clock = 1_000_000;
    const refusals = createRefusalLog(log, () => clock);
    const refuse = (remote: string): void => refusals.refused('warn', 'refused here', remote, { code: 'BBS_ERR_CONNECTION_CAP' });
    for (let i = 0; i < 1000; i++) refuse('192.0.2.1');
    expect(lines.map((l) => [l.remote, l.refused])).toEqual([['192.0.2.1', 1]]);
    for (let i = 0; i < 250; i++) refuse(`198.51.100.${i % 250}`);
    // Nine more addresses fill the budget of ten; one summary; the rest are counted.
    expect(lines.filter((l) => l.msg === 'refused here')).toHaveLength(BUDGET);
    expect(lines.filter((l) => l.msg === SUMMARY)).toHaveLength(1);
    clock += DEFAULT_REFUSAL_LOG_LIMITS.windowMs;
    refuse('192.0.2.1');
    expect(lines.at(-1)).toMatchObject({ remote: '192.0.2.1', refused: 1000, refusalsNotLoggedBefore: 241 });
  });

  it('counts an IPv6 /64 as one address and IPv4-mapped addresses as IPv4', () => {
    const { log, lines } = keptLog();
    const refusals = createRefusalLog(log, () => 0);
    for (let i = 1; i < 200; i++) refusals.refused('info', 'refused here', `2001:db8:1:2::${i.toString(16)}`, {});
    refusals.refused('info', 'refused here', '::ffff:192.0.2.9', {});
    refusals.refused('info', 'refused here', '192.0.2.9', {});
    expect(lines.map((l) => l.remote)).toEqual(['2001:db8:1:2::/64', '192.0.2.9']);
  });
});
