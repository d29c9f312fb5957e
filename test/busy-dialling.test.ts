import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

async function dialIn(port: number, route = '@bbs'): Promise<{ caller: JsonSocketClient; texts: string[]; closed: boolean }> {
  const caller = await JsonSocketClient.open(port, route);
  caller.send('connect');
  const turn = await caller.untilPrompt();
  return { caller, texts: turn.texts, closed: turn.closed };
}

describe('busy-signal dialling across two backends of two lines each', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 2, lines: 2 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('fills four lines, gives the fifth caller the all-lines-busy screen, and lets it in once a line frees', async () => {
    const connected = [];
    for (let i = 0; i < 4; i++) {
      const call = await dialIn(bbs.frontPort);
      expect(call.closed).toBe(false);
      expect(call.texts.find((t) => t.startsWith('ATDT'))).toMatch(/^ATDT @bbs\.1[01] \.\.\. CONNECT$/);
      connected.push(call);
    }
    // Two on each number: the proxy dials numbers with free lines first.
    const numbers = connected.map((c) => c.texts.find((t) => t.startsWith('ATDT'))?.slice(5, 12)).sort();
    expect(numbers).toEqual(['@bbs.10', '@bbs.10', '@bbs.11', '@bbs.11']);
    expect(bbs.proxy.switchboard.directory().map((n) => [n.number, n.inUse, n.free])).toEqual([
      ['bbs.10', 2, 0],
      ['bbs.11', 2, 0],
    ]);

    const fifth = await dialIn(bbs.frontPort);
    expect(fifth.closed).toBe(true);
    expect(fifth.texts.slice(0, 2).sort()).toEqual(['ATDT @bbs.10 ... BUSY', 'ATDT @bbs.11 ... BUSY']);
    expect(fifth.texts[2]).toBe('All lines are busy. Please try again later.');

    // A caller naming a full number gets that number's own busy reply.
    const named = await dialIn(bbs.frontPort, '@bbs.10');
    expect(named.closed).toBe(true);
    expect(named.texts).toHaveLength(1);
    expect(named.texts[0]).toMatch(/busy/i);

    // One caller quits: the next caller gets in, on the number that caller left.
    const leaving = connected[0];
    const leftNumber = leaving?.texts.find((t) => t.startsWith('ATDT'))?.slice(5, 12);
    leaving?.caller.destroy();
    await leaving?.caller.closedByServer();
    await waitUntil(() => bbs.proxy.switchboard.directory().some((n) => n.free === 1));
    const sixth = await dialIn(bbs.frontPort);
    expect(sixth.closed).toBe(false);
    expect(sixth.texts.find((t) => t.endsWith('CONNECT'))).toBe(`ATDT ${leftNumber} ... CONNECT`);
    for (const call of [...connected.slice(1), sixth]) call.caller.destroy();
  });
});

// The proxy frees a line as the caller's socket closes; this waits for the next turn of the loop
// in which it has, with no fixed sleep.
async function waitUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise<void>((resolve) => setImmediate(resolve));
}
