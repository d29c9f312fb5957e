import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

describe('a real backend behind the proxy', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 1 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('opens one conversation at most for a connection that writes hundreds of lines at once', async () => {
    const handler = bbs.handlers[0];
    if (handler === undefined) throw new Error('no handler');
    const from = handler.records.length;
    const flooder = await JsonSocketClient.open(bbs.frontPort);
    const lines = ['connect', ...Array.from({ length: 400 }, (_, i) => `line ${i}`)];
    flooder.sendRaw(lines.map((text) => `@bbs ${JSON.stringify({ type: 'msg', msg: text })}\0`).join(''));
    let turn = await flooder.untilPrompt();
    const seen = [...turn.texts];
    while (!turn.closed) {
      turn = await flooder.untilPrompt();
      seen.push(...turn.texts);
    }
    // However the backend ends it (too fast, too many tries), that call was the only one.
    expect(turn.closed).toBe(true);
    expect(seen.filter((text) => text.includes('Welcome to the M2BBS.'))).toHaveLength(1);

    // Requests reach the backend in order: once a later caller is answered, every line of the
    // flood that got through has been read by the backend.
    const later = await JsonSocketClient.open(bbs.frontPort);
    later.send('connect');
    expect((await later.untilPrompt()).prompt?.msg).toContain("What's your name?");
    later.destroy();

    // The backend's log reaches us on another pipe than the reply: wait for the later caller's
    // session; any session the flood opened was logged before it.
    const sessionsOpened = (): typeof handler.records => handler.records.slice(from).filter((r) => r.msg === 'session opened');
    const opened = await until(() => (sessionsOpened().length >= 2 ? sessionsOpened() : undefined), 'the later caller\'s session in the log');
    expect(opened).toHaveLength(2);
    expect(new Set(opened.map((r) => r.conn)).size).toBe(2);
    flooder.destroy();
  });

  it('shows the pending prompt again after a line the original client.py sent unescaped, and goes on', async () => {
    const caller = await JsonSocketClient.open(bbs.frontPort);
    caller.send('connect');
    const first = await caller.untilPrompt();
    expect(first.prompt?.msg).toContain("What's your name?");
    // Exactly the bytes client.py writes for the line `say "hi"`.
    caller.sendRaw('@bbs {"type":"msg","msg":"say "hi""}\0');
    const again = await caller.untilPrompt();
    expect(again.texts).toEqual([expect.stringContaining('could not read what your terminal sent'), first.prompt?.msg]);
    expect(again.prompt).toEqual(first.prompt);
    expect((await caller.exchange('quoter')).prompt?.msg).toContain('password');
    expect(caller.errors).toEqual([]);
    caller.destroy();
  });

  it('shows the pending prompt again after a line whose unescaped quotes make a message of another type', async () => {
    const caller = await JsonSocketClient.open(bbs.frontPort);
    caller.send('connect');
    const first = await caller.untilPrompt();
    // client.py sends `a","type":"exit` as {"type":"msg","msg":"a","type":"exit"}: valid JSON of
    // type "exit", which the backend once dropped without a word, leaving the caller waiting.
    caller.sendRaw('@bbs {"type":"msg","msg":"a","type":"exit"}\0');
    const again = await caller.untilPrompt();
    expect(again.texts).toEqual([expect.stringContaining('could not read what your terminal sent'), first.prompt?.msg]);
    expect(again.closed).toBe(false);
    expect((await caller.exchange('typer')).prompt?.msg).toContain('password');
    caller.destroy();
  });

  it('goes on answering everyone after a message whose type is an object that cannot be made a string', async () => {
    const caller = await JsonSocketClient.open(bbs.frontPort);
    caller.send('connect');
    const first = await caller.untilPrompt();
    expect(first.prompt?.msg).toContain("What's your name?");
    // Found by the fuzz: String({"toString":1}) throws, and once stopped the backend's receive loop.
    caller.sendRaw('@bbs {"type":{"toString":1}}\0@bbs {"type":{"valueOf":[]}}\0');
    // Neither can be read: each is answered with the name prompt again.
    for (let i = 0; i < 2; i++) expect((await caller.untilPrompt()).prompt).toEqual(first.prompt);
    expect((await caller.exchange('objecttype')).prompt?.msg).toContain('password');
    const other = await JsonSocketClient.open(bbs.frontPort);
    other.send('connect');
    expect((await other.untilPrompt()).prompt?.msg).toContain("What's your name?");
    other.destroy();
    caller.destroy();
  });
});
