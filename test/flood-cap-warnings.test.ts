/**
 * The caps' warnings stay few under a flood: connections churning at a cap (one closes, the next
 * is let in, the one after refused) log one line per address, and one for the total, a minute,
 * each counting the refusals since the line before.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { DEFAULT_REFUSAL_LOG_LIMITS, refusalLimit } from '../common/refusal-limit.js';
import { createConnectionCaps } from '../server/connection-caps.js';
import { until } from './support/process-tree.js';
import { RawConnection } from './support/raw-connection.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

/** A logger at `warn` whose lines are kept, parsed. */
function keptLog(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { log: createLogger('warn', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }), lines };
}

const MINUTE = DEFAULT_REFUSAL_LOG_LIMITS.windowMs;

const capLines = (lines: Record<string, unknown>[], flag: string): Record<string, unknown>[] => lines.filter((l) => l.code === 'BBS_ERR_CONNECTION_CAP' && l.flag === flag);

let bbs: TestBbs | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await bbs?.close();
  bbs = undefined;
});

describe('the cap warnings under churn', () => {
  it('log one line for an address refused 25 times while its callers come and go at the cap', async () => {
    const { log, lines } = keptLog();
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxPerAddress: 1 }, log }));
    for (let round = 0; round < 25; round++) {
      const inside = await RawConnection.open(b.telnetPort);
      closers.push(() => inside.destroy());
      await until(() => (b.proxy.caps.loggingIn('127.0.0.1') === 1 ? true : undefined), 'the first to be counted');
      const refused = await RawConnection.open(b.telnetPort);
      await refused.closed;
      expect(refused.received).toContain('Too many callers from your address');
      inside.destroy();
      await until(() => (b.proxy.caps.open === 0 ? true : undefined), 'the first to be counted out');
    }
    const warned = capLines(lines, '--max-per-address');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 'warn', remote: '127.0.0.1', refused: 1, max: 1 });
  });

  it('log one line for the total refused 25 times while connections come and go at it', async () => {
    const { log, lines } = keptLog();
    const b = (bbs = await startTestBbs({ batch: true, caps: { maxConnections: 1, maxPerAddress: 0 }, log }));
    for (let round = 0; round < 25; round++) {
      const inside = await RawConnection.open(b.frontPort);
      closers.push(() => inside.destroy());
      await until(() => (b.proxy.caps.open === 1 ? true : undefined), 'the first to be counted');
      const refused = await RawConnection.open(b.telnetPort, `127.0.1.${round + 1}`);
      await refused.closed;
      expect(refused.received).toContain('The BBS has too many connections open right now (1)');
      inside.destroy();
      await until(() => (b.proxy.caps.open === 0 ? true : undefined), 'the first to be counted out');
    }
    expect(capLines(lines, '--max-connections')).toHaveLength(1);
  });
});

describe('the cap warnings over minutes (a clock the test moves)', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('write a line a minute while refusals go on, with the count refused since the last one', async () => {
    const { log, lines } = keptLog();
    let clock = 1_000_000;
    const caps = createConnectionCaps({ maxPerAddress: 1, maxConnections: 0 }, log, () => clock);
    const accepted: Socket[] = [];
    const s = (server = createServer((socket) => accepted.push(socket)));
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as { port: number }).port;
    const next = async (): Promise<Socket> => {
      const client = connect(port, '127.0.0.1');
      closers.push(() => client.destroy());
      const before = accepted.length;
      await until(() => (accepted.length > before ? true : undefined), 'the connection to be accepted');
      const socket = accepted[accepted.length - 1] as Socket;
      closers.push(() => socket.destroy());
      return socket;
    };

    expect(caps.admit(await next())).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(caps.admit(await next())?.cap).toBe('per-address');
    expect(capLines(lines, '--max-per-address').map((l) => l.refused)).toEqual([1]);
    clock += MINUTE;
    expect(caps.admit(await next())?.cap).toBe('per-address');
    // The four refused after the first line and the one just refused, in one line.
    expect(capLines(lines, '--max-per-address').map((l) => l.refused)).toEqual([1, 5]);
    for (let i = 0; i < 2; i++) expect(caps.admit(await next())?.cap).toBe('per-address');
    clock += MINUTE;
    expect(caps.admit(await next())?.cap).toBe('per-address');
    expect(capLines(lines, '--max-per-address').map((l) => l.refused)).toEqual([1, 5, 3]);
  });

  it('forget a key quiet for a minute, and never hold more than the addresses it may remember', () => {
    let clock = 0;
    const limits = { ...DEFAULT_REFUSAL_LOG_LIMITS, linesPerWindow: 1000, maxAddresses: 50 };
    const limit = refusalLimit(() => {}, () => clock, limits);
    // 100 addresses, 50 remembered: the 50 quiet longest are forgotten, so their next refusal is a line.
    for (let i = 0; i < 100; i++) expect(limit(`192.0.2.${i}`)?.refused).toBe(1);
    expect(limit('192.0.2.99')).toBeUndefined();
    expect(limit('192.0.2.0')?.refused).toBe(1);
    clock += MINUTE;
    // A minute on, an address refused since its line gets its count with the next refusal.
    expect(limit('192.0.2.99')?.refused).toBe(2);
  });
});
