import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BbsCall, type CallOptions } from '../client/bbs-call.js';
import { CallEvents } from './support/call-events.js';
import { deadPort, frame, startRawBbs, type RawBbs } from './support/raw-bbs.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

function placeCall(port: number, options: Partial<CallOptions> = {}): { call: BbsCall; events: CallEvents } {
  const events = new CallEvents();
  const call = new BbsCall({ host: '127.0.0.1', port, route: '@bbs', dialTimeoutMs: 10_000, colour: true, onEvent: events.push, ...options });
  call.dial();
  return { call, events };
}

describe('a call to the real proxy and backends', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 2, lines: 1 });
  });
  afterAll(async () => {
    await bbs?.close();
  });

  it('dials, connects, talks, and ends with NO CARRIER after the BBS says goodbye', async () => {
    const { call, events } = placeCall(bbs.frontPort);
    await events.prompt(0);
    expect(call.state).toBe('CONNECTED');
    expect(events.lines().slice(0, 1)).toEqual(['modem: ATDT @bbs']);
    // Once, in the proxy's words: the number that answered.
    expect(events.lines().filter((line) => line.includes('CONNECT'))).toEqual([expect.stringMatching(/^modem: ATDT @bbs\.1[01] \.\.\. CONNECT$/)]);
    expect(events.lines().join('\n')).toContain('Welcome to the M2BBS.');
    for (const [line, echo] of [['carol', false], ['sekrit-pw', true], ['n', true]] as const) {
      const next = events.prompt();
      call.send(line);
      expect(await next).toMatchObject({ kind: 'prompt', echo });
    }
    // Declining to sign up goes back to the name prompt; three bad names end the call.
    for (const bad of ['x', 'y', 'z']) call.send(bad);
    expect(await events.ended()).toBe('exit');
    expect(events.lines().slice(-2)).toEqual(['bbs: That\'s too many tries for one call. Hang up, have a think, and call again.', 'modem: NO CARRIER']);
    expect(call.state).toBe('NO CARRIER');
  });

  it('redials any free line when the number it asked for is busy', async () => {
    const first = placeCall(bbs.frontPort, { route: '@bbs.10' });
    await first.events.prompt(0);
    const second = placeCall(bbs.frontPort, { route: '@bbs.10' });
    await second.events.prompt(0);
    const lines = second.events.lines();
    expect(lines[0]).toBe('modem: ATDT @bbs.10');
    expect(lines.indexOf('modem: BUSY')).toBeGreaterThan(0);
    expect(lines.indexOf('modem: ATDT @bbs')).toBeGreaterThan(lines.indexOf('modem: BUSY'));
    expect(lines.findIndex((line) => /^modem: ATDT @bbs\.1[01] \.\.\. CONNECT$/.test(line))).toBeGreaterThan(lines.indexOf('modem: ATDT @bbs'));
    expect(second.call.route).toBe('@bbs');
    expect(second.events.all.filter((e) => e.kind === 'state').map((e) => e.kind === 'state' && e.state)).toEqual(['DIALLING', 'BUSY', 'DIALLING', 'CONNECTED']);
    await Promise.all([first.call.hangUp(), second.call.hangUp()]);
    expect(await second.events.ended()).toBe('hung-up');
  });

  it('says plainly when the number does not exist', async () => {
    const { events } = placeCall(bbs.frontPort, { route: '@nowhere' });
    expect(await events.ended()).toBe('no-answer');
    expect(events.lines()).toEqual(['modem: ATDT @nowhere', 'problem: [bad data from the BBS: server answered with an HTTP error: HTTP/1.1 404 Not Found]', 'modem: NO CARRIER']);
  });
});

describe('a call to something that is not quite a BBS', () => {
  let raw: RawBbs | undefined;
  afterAll(async () => {
    await raw?.close();
  });

  it('says NO ANSWER when nothing listens', async () => {
    const port = await deadPort();
    const { call, events } = placeCall(port);
    expect(await events.ended()).toBe('no-answer');
    expect(events.lines()).toEqual(['modem: ATDT @bbs', `problem: NO ANSWER: nothing at 127.0.0.1:${port}`]);
    expect(call.state).toBe('NO CARRIER');
  });

  it('gives up on a BBS that never answers', async () => {
    raw = await startRawBbs(() => {});
    const { events } = placeCall(raw.port, { dialTimeoutMs: 200 });
    expect(await events.ended()).toBe('no-answer');
    expect(events.lines().at(-1)).toBe(`problem: NO ANSWER: 127.0.0.1:${raw.port} did not answer within 0.2 s`);
    await raw.close();
  });

  it('reports junk in a line of its own and goes on; keeps colour, strips the rest', async () => {
    raw = await startRawBbs((socket) => {
      socket.write('!!junk!!\0');
      socket.write(`${Buffer.from('not json at all').toString('base64')}\0`);
      socket.write(frame({ msg: 'typeless' }));
      socket.write(frame({ type: 'screen', msg: '\x1b[2J\x1b[31mred\x1b[0m \x1b]0;title\x07ok' }));
      socket.write(frame({ type: 'prompt', msg: 'Name?', pchar: '\x1b[1m>\x1b[0m ', echo: false }));
    });
    const { call, events } = placeCall(raw.port);
    await events.prompt(0);
    const lines = events.lines();
    expect(lines[0]).toBe('modem: ATDT @bbs');
    expect(lines.filter((line) => line.startsWith('problem: '))).toHaveLength(3);
    expect(lines).toContain('problem: [bad data from the BBS: unexpected data from server: "!!junk!!"]');
    expect(lines).toContain('problem: [the BBS sent a reply without a type]');
    expect(lines).toContain('bbs: \x1b[31mred\x1b[0m ok\x1b[0m');
    expect(lines.at(-1)).toBe('prompt: Name? [> ] (secret)');
    await call.hangUp();
  });

  it('reads replies glued together without NULs, as Mongrel2 1.8 sends them', async () => {
    raw = await startRawBbs((socket) => {
      const glued = [{ type: 'screen', msg: 'one' }, { type: 'screen', msg: 'two' }, { type: 'prompt', msg: '', pchar: '$ ' }];
      socket.write(glued.map((reply) => frame(reply).slice(0, -1)).join(''));
    });
    const { call, events } = placeCall(raw.port);
    await events.prompt(0);
    expect(events.lines()).toEqual(['modem: ATDT @bbs', 'modem: ATDT @bbs ... CONNECT', 'bbs: one', 'bbs: two', 'prompt:  [$ ]']);
    call.send('typed "line"');
    await call.hangUp();
    expect(raw.frames).toEqual(['@bbs {"type":"msg","msg":"typed \\"line\\""}']);
  });

  it('says NO CARRIER when the line drops in the middle', async () => {
    raw = await startRawBbs((socket) => socket.end(frame({ type: 'screen', msg: 'going' })));
    const { events } = placeCall(raw.port);
    expect(await events.ended()).toBe('dropped');
    expect(events.lines()).toEqual(['modem: ATDT @bbs', 'modem: ATDT @bbs ... CONNECT', 'bbs: going', 'modem: NO CARRIER']);
  });

  it('asks the chooser for the next number, tries each once, and stops when every one is busy', async () => {
    raw = await startRawBbs((socket, route) => socket.write(frame({ type: 'busy', msg: `${route} is busy` })));
    const asked: string[][] = [];
    const { call, events } = placeCall(raw.port, {
      route: '@bbs.10',
      chooseNext: async ({ tried }) => {
        asked.push([...tried]);
        return ['@bbs.11', '@bbs.10', '@bbs.12'].find((route) => !tried.includes(route));
      },
    });
    expect(await events.ended()).toBe('busy');
    expect(raw.routes).toEqual(['@bbs.10', '@bbs.11', '@bbs.12']);
    expect(asked).toEqual([['@bbs.10'], ['@bbs.10', '@bbs.11'], ['@bbs.10', '@bbs.11', '@bbs.12']]);
    expect(events.lines().slice(0, 3)).toEqual(['modem: ATDT @bbs.10', 'notice: @bbs.10 is busy', 'modem: BUSY']);
    expect(call.state).toBe('BUSY');
  });

  it('redials @bbs once by default, and no more', async () => {
    raw = await startRawBbs((socket) => socket.write(frame({ type: 'exit', msg: 'No line is available; try again later.' })));
    const { events } = placeCall(raw.port, { route: '@bbs.11' });
    expect(await events.ended()).toBe('busy');
    expect(raw.routes).toEqual(['@bbs.11', '@bbs']);
  });
});
