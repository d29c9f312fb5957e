import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

// A backend process that is stopped (SIGSTOP) keeps its ZeroMQ connection, so the proxy still
// counts its number as up; a caller naming it must not wait in silence for good. The backends are
// m2bbs's, batched as under `m2bbs start` (another Mongrel2 handler may stay quiet on purpose).
describe('a named number whose backend is up but silent', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 1, batch: true });
  });
  afterAll(async () => {
    const pid = bbs.handlers[0]?.child.pid;
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
    await bbs.close();
  });

  it('tells its caller NO ANSWER and closes; once the backend goes on, the number answers again', async () => {
    const handler = bbs.handlers[0];
    const pid = handler?.child.pid;
    if (handler === undefined || pid === undefined) throw new Error('no handler');
    process.kill(pid, 'SIGSTOP');
    try {
      const caller = await JsonSocketClient.open(bbs.frontPort, '@bbs.10');
      caller.send('connect');
      const turn = await caller.untilPrompt();
      expect(turn.closed).toBe(true);
      expect(turn.texts).toEqual(['ATDT @bbs.10 ... NO ANSWER']);
      caller.destroy();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const later = await JsonSocketClient.open(bbs.frontPort, '@bbs.10');
    later.send('connect');
    const answered = await later.untilPrompt();
    expect(answered.texts[0]).toBe('ATDT @bbs.10 ... CONNECT');
    expect(answered.prompt?.msg).toContain("What's your name?");
    later.destroy();
  });
});
