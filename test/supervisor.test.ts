import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../server/line.js';
import { HandlerProcess, type LogRecord } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { TelnetCaller } from './support/telnet-caller.js';

async function directory(port: number): Promise<DirectoryEntry[]> {
  const response = await fetch(`http://127.0.0.1:${port}/directory`);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return ((await response.json()) as { numbers: DirectoryEntry[] }).numbers;
}

/** Waits for a log line, failing if it takes longer than `withinMs` (the issue's own bound). */
function within<T>(withinMs: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${withinMs} ms`)), withinMs);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('m2bbs start --backends 2 --max-callers 2, when a backend is killed', () => {
  let bbs: HandlerProcess;
  let port = 0;
  beforeAll(async () => {
    bbs = HandlerProcess.run(['start', '--backends', '2', '--max-callers', '2', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    port = Number((await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  });
  afterAll(async () => {
    expect(await bbs.stop()).toBe(0);
  });

  it('shows it down within two seconds, dials only the other number, restarts it and shows it up again', async () => {
    expect((await directory(port)).map((n) => [n.route, n.up, n.lines, n.inUse, n.free])).toEqual([
      ['@bbs.10', true, 2, 0, 2],
      ['@bbs.11', true, 2, 0, 2],
    ]);
    const started = bbs.records.find((r) => r.msg === 'child started' && r.child === 'bbs.10') as LogRecord;
    const seen = bbs.records.length;
    process.kill(Number(started.pid), 'SIGKILL');
    await within(2000, 'noticing bbs.10 is down', bbs.waitForLog((r) => r.msg === 'backend disconnected' && r.backend === 'bbs.10', seen));
    expect((await directory(port)).find((n) => n.number === 'bbs.10')?.up).toBe(false);

    for (let i = 0; i < 2; i++) {
      const caller = await JsonSocketClient.open(port);
      caller.send('connect');
      expect((await caller.untilPrompt()).texts[0]).toBe('ATDT @bbs.11 ... CONNECT');
      caller.destroy();
    }

    const restarted = await bbs.waitForLog((r) => r.msg === 'backend exited; restarting' && r.backend === 'bbs.10', seen);
    expect(restarted).toMatchObject({ signal: 'SIGKILL' });
    await bbs.waitForLog((r) => r.msg === 'backend connected' && r.backend === 'bbs.10', seen);
    expect((await directory(port)).find((n) => n.number === 'bbs.10')).toMatchObject({ up: true, lines: 2 });

    const table = HandlerProcess.run(['directory', `127.0.0.1:${port}`]);
    expect(await table.exited).toBe(0);
    expect(table.stdoutText).toMatch(/^NUMBER\s+STATE\s+LINES\s+IN USE\s+FREE\s+LAST HEARD\n@bbs\.10\s+up\s+2\s+0\s+2\s+\d+ s ago\n@bbs\.11\s+up\s+2/);
    await table.stop();
  });

  it('offers a telnet caller whose line dropped a redial, and Enter dials a number that answers', async () => {
    const telnetPort = Number((await bbs.waitForStdout(/telnet 127\.0\.0\.1 (\d+)/))[1]);
    expect((await directory(port)).map((n) => n.up)).toEqual([true, true]);
    const telnet = await TelnetCaller.open(telnetPort, 'xterm');
    const dialled = /ATDT @(bbs\.1[01]) \.\.\. CONNECT/.exec(await telnet.waitFor(/ATDT @bbs\.1[01] \.\.\. CONNECT[\s\S]*What's your name\?/));
    const number = dialled?.[1] ?? '';
    const other = number === 'bbs.10' ? 'bbs.11' : 'bbs.10';
    const victim = [...bbs.records].reverse().find((r) => r.msg === 'child started' && r.child === number) as LogRecord;
    const from = telnet.text.length;
    const seen = bbs.records.length;
    process.kill(Number(victim.pid), 'SIGKILL');
    await telnet.waitFor(`NO CARRIER: the line to @${number} dropped. Press Enter to redial`, from);
    expect(await telnet.type('', /What's your name\?/)).toContain(`ATDT @${other} ... CONNECT`);
    telnet.close();
    await bbs.waitForLog((r) => r.msg === 'backend connected' && r.backend === number, seen);
  });

  it('m2bbs directory says plainly when no proxy answers', async () => {
    const nobody = HandlerProcess.run(['directory', '127.0.0.1:1']);
    expect(await nobody.exited).toBe(1);
    expect(nobody.stderrText).toContain('m2bbs directory: no m2bbs proxy answered at http://127.0.0.1:1/directory');
    await nobody.stop();
  });

  it('tells a caller in conversation that the line dropped', async () => {
    const caller = await JsonSocketClient.open(port, '@bbs.11');
    caller.send('connect');
    await caller.untilPrompt();
    const started = [...bbs.records].reverse().find((r) => r.msg === 'child started' && r.child === 'bbs.11') as LogRecord;
    const seen = bbs.records.length;
    process.kill(Number(started.pid), 'SIGKILL');
    expect(await caller.untilPrompt()).toEqual({ texts: ['NO CARRIER: the line to @bbs.11 dropped.'], prompt: undefined, closed: true });
    await bbs.waitForLog((r) => r.msg === 'backend connected' && r.backend === 'bbs.11', seen);
  });
});
