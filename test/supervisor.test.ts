import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { backendPid, directory, untilShown } from './support/started-bbs.js';
import { TelnetCaller } from './support/telnet-caller.js';

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

  it('shows it down, dials only the other number, restarts it and shows it up again', async () => {
    expect((await directory(port)).map((n) => [n.route, n.up, n.lines, n.inUse, n.free])).toEqual([
      ['@bbs.10', true, 2, 0, 2],
      ['@bbs.11', true, 2, 0, 2],
    ]);
    const victim = await backendPid(bbs, 'bbs.10');
    process.kill(victim, 'SIGKILL');
    await untilShown(port, 'bbs.10', false);

    for (let i = 0; i < 2; i++) {
      const caller = await JsonSocketClient.open(port);
      caller.send('connect');
      expect((await caller.untilPrompt()).texts[0]).toBe('ATDT @bbs.11 ... CONNECT');
      caller.destroy();
    }

    expect(await backendPid(bbs, 'bbs.10', victim)).not.toBe(victim);
    expect(await untilShown(port, 'bbs.10', true)).toMatchObject({ up: true, lines: 2 });

    const table = HandlerProcess.run(['directory', `127.0.0.1:${port}`]);
    expect(await table.exited).toBe(0);
    expect(table.stdoutText).toMatch(/^NUMBER\s+STATE\s+LINES\s+IN USE\s+FREE\s+LAST HEARD\n@bbs\.10\s+up\s+2\s+0\s+2\s+\d+ s ago\n@bbs\.11\s+up\s+2/);
    await table.stop();
  });

  it('moves a telnet caller whose backend died to a number that answers, at the prompt they were at', async () => {
    const telnetPort = Number((await bbs.waitForStdout(/telnet 127\.0\.0\.1 (\d+)/))[1]);
    expect((await directory(port)).map((n) => n.up)).toEqual([true, true]);
    const telnet = await TelnetCaller.open(telnetPort, 'xterm');
    const dialled = /ATDT @(bbs\.1[01]) \.\.\. CONNECT/.exec(await telnet.waitFor(/ATDT @bbs\.1[01] \.\.\. CONNECT[\s\S]*What's your name\?/));
    const number = dialled?.[1] ?? '';
    const other = number === 'bbs.10' ? 'bbs.11' : 'bbs.10';
    const victim = await backendPid(bbs, number);
    const from = telnet.text.length;
    process.kill(victim, 'SIGKILL');
    const moved = await telnet.waitFor(/-- line moved to @bbs\.1[01] --[\s\S]*What's your name\?/, from);
    expect(moved).toContain(`-- line moved to @${other} --`);
    expect(moved).not.toContain('NO CARRIER');
    // Nothing else: no welcome banner again, no notice that anything changed.
    expect(moved).not.toContain('Welcome to the M2BBS');
    expect(moved).not.toContain('updated');
    expect(await telnet.type('telly', /What's your password\?/)).toContain('telly');
    telnet.close();
    await backendPid(bbs, number, victim);
    await untilShown(port, number, true);
  });

  it('m2bbs directory says plainly when no proxy answers', async () => {
    const nobody = HandlerProcess.run(['directory', '127.0.0.1:1']);
    expect(await nobody.exited).toBe(1);
    expect(nobody.stderrText).toContain('m2bbs directory: no m2bbs proxy answered at http://127.0.0.1:1/directory');
    await nobody.stop();
  });

  it('keeps a caller who dialled a number by name on that number once it is back', async () => {
    const caller = await JsonSocketClient.open(port, '@bbs.11');
    caller.send('connect');
    await caller.untilPrompt();
    const victim = await backendPid(bbs, 'bbs.11');
    process.kill(victim, 'SIGKILL');
    const moved = await caller.untilPrompt();
    expect(moved.texts[0]).toBe('-- line moved to @bbs.11 --');
    expect(moved.prompt?.msg).toBe("What's your name? (new callers: pick one)");
    expect(await backendPid(bbs, 'bbs.11', victim)).not.toBe(victim);
    caller.destroy();
    await untilShown(port, 'bbs.11', true);
  });
});

describe('m2bbs start --journal off, when a backend is killed', () => {
  let bbs: HandlerProcess;
  let port = 0;
  beforeAll(async () => {
    bbs = HandlerProcess.run(['start', '--backends', '2', '--journal', 'off', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    port = Number((await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  });
  afterAll(async () => {
    expect(await bbs.stop()).toBe(0);
  });

  it('tells a caller in conversation that the line dropped', async () => {
    const caller = await JsonSocketClient.open(port, '@bbs.11');
    caller.send('connect');
    await caller.untilPrompt();
    const victim = await backendPid(bbs, 'bbs.11');
    process.kill(victim, 'SIGKILL');
    expect(await caller.untilPrompt()).toEqual({ texts: ['NO CARRIER: the line to @bbs.11 dropped.'], prompt: undefined, closed: true });
    await backendPid(bbs, 'bbs.11', victim);
    await untilShown(port, 'bbs.11', true);
  });

  it('offers a telnet caller whose line dropped a redial, and Enter dials a number that answers', async () => {
    const telnetPort = Number((await bbs.waitForStdout(/telnet 127\.0\.0\.1 (\d+)/))[1]);
    await untilShown(port, 'bbs.10', true);
    await untilShown(port, 'bbs.11', true);
    const telnet = await TelnetCaller.open(telnetPort, 'xterm');
    const dialled = /ATDT @(bbs\.1[01]) \.\.\. CONNECT/.exec(await telnet.waitFor(/ATDT @bbs\.1[01] \.\.\. CONNECT[\s\S]*What's your name\?/));
    const number = dialled?.[1] ?? '';
    const other = number === 'bbs.10' ? 'bbs.11' : 'bbs.10';
    const victim = await backendPid(bbs, number);
    const from = telnet.text.length;
    process.kill(victim, 'SIGKILL');
    await telnet.waitFor(`NO CARRIER: the line to @${number} dropped. Press Enter to redial`, from);
    expect(await telnet.type('', /What's your name\?/)).toContain(`ATDT @${other} ... CONNECT`);
    telnet.close();
    await backendPid(bbs, number, victim);
    await untilShown(port, number, true);
  });
});
