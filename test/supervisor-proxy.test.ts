import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../server/line.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { childRunning, descendants, isRunning, killAll, until, untilAllGone } from './support/process-tree.js';
import { TelnetCaller } from './support/telnet-caller.js';

let bbs: HandlerProcess | undefined;
let started: number[] = [];
let squatter: Server | undefined;
afterEach(async () => {
  killAll(started);
  started = [];
  await bbs?.stop();
  bbs = undefined;
  await new Promise((resolve) => (squatter === undefined ? resolve(undefined) : squatter.close(resolve)));
  squatter = undefined;
});

async function startBbs(...more: string[]): Promise<{ bbs: HandlerProcess; http: number; telnet: number }> {
  bbs = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', ...more]);
  const banner = (await bbs.waitForStdout(/Ctrl-C stops everything\./)).input;
  started = descendants(bbs.child.pid ?? 0);
  return { bbs, http: Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1]), telnet: Number(/telnet 127\.0\.0\.1 (\d+)/.exec(banner)?.[1]) };
}

/** A server listening on `port`, or undefined when something else holds it now. */
function listening(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined)).listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** The directory of the proxy at `port` once it answers with every number up (refused while it is down). */
function everyNumberUp(port: number): Promise<DirectoryEntry[]> {
  return until(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/directory`).catch(() => undefined);
    const numbers = response === undefined ? [] : ((await response.json()) as { numbers: DirectoryEntry[] }).numbers;
    return numbers.length > 0 && numbers.every((n) => n.up) ? numbers : undefined;
  }, `a proxy on port ${port} with every number up`);
}

describe('m2bbs start, when the proxy dies', () => {
  it('restarts it on the same ports; the caller on it loses the line, the next one gets in, the backends are the same processes', async () => {
    const { bbs, http, telnet } = await startBbs();
    const proxy = await childRunning(bbs.child.pid ?? 0, / proxy /, 'the proxy');
    const backends = await Promise.all(['bbs.10', 'bbs.11'].map((n) => childRunning(bbs.child.pid ?? 0, new RegExp(` handler .*--name ${n} `), n)));
    const onIt = await TelnetCaller.open(telnet, 'xterm');
    await onIt.waitFor("What's your name?");

    process.kill(proxy, 'SIGKILL');
    await until(() => (onIt.closed ? true : undefined), 'the telnet caller to lose the line');

    // Back means the backends that kept running have reconnected to it by themselves.
    expect((await everyNumberUp(http)).map((n) => n.number)).toEqual(['bbs.10', 'bbs.11']);
    const restarted = await childRunning(bbs.child.pid ?? 0, / proxy /, 'the new proxy');
    expect(restarted).not.toBe(proxy);
    expect(backends.every(isRunning)).toBe(true);
    const caller = await JsonSocketClient.open(http);
    caller.send('connect');
    expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    caller.destroy();
    const again = await TelnetCaller.open(telnet, 'xterm');
    await again.waitFor("What's your name?");
    again.close();

    expect(await bbs.stop()).toBe(0);
    await untilAllGone([restarted, ...backends]);
  });

  it('frees the line the lost caller held: with one backend of one line, the next caller is not told busy', async () => {
    const { bbs, http } = await startBbs('--backends', '1', '--max-callers', '1');
    const lost = await JsonSocketClient.open(http);
    lost.send('connect');
    expect((await lost.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    process.kill(await childRunning(bbs.child.pid ?? 0, / proxy /, 'the proxy'), 'SIGKILL');
    await lost.closedByServer();

    await everyNumberUp(http);
    const next = await JsonSocketClient.open(http);
    next.send('connect');
    expect((await next.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    next.destroy();
  });

  it('the first caller the restarted proxy lets in gets a line: its doors open once the backends are back', async () => {
    const { bbs, http } = await startBbs();
    const lost = await JsonSocketClient.open(http);
    process.kill(await childRunning(bbs.child.pid ?? 0, / proxy /, 'the proxy'), 'SIGKILL');
    await lost.closedByServer();

    // Refused while no proxy listens; the first call the new proxy answers is the one that counts.
    // While the port is free, another program on this busy machine may be given it for a moment
    // (a port picked by the system): a line closed without a word was not the BBS's.
    const texts = await until(async () => {
      const first = await JsonSocketClient.open(http).catch(() => undefined);
      if (first === undefined) return undefined;
      first.send('connect');
      const turn = await first.untilPrompt();
      first.destroy();
      return turn.texts.length === 0 && turn.closed ? undefined : turn.texts.join('\n');
    }, 'the restarted proxy to answer a caller');
    expect(texts).not.toContain('No line is answering');
    expect(texts).toContain('Welcome to the M2BBS.');
  });

  it('gives up when the proxy dies 5 times in a row soon after starting: one line, exit code 1, nothing left running', async () => {
    const { bbs } = await startBbs('--backends', '1');
    const everyone = descendants(bbs.child.pid ?? 0);
    let previous = 0;
    for (let death = 1; death <= 5; death++) {
      const proxy = await until(async () => {
        const pid = await childRunning(bbs.child.pid ?? 0, / proxy /, 'a proxy');
        return pid === previous ? undefined : pid;
      }, `proxy number ${death}`);
      everyone.push(proxy);
      process.kill(proxy, 'SIGKILL');
      previous = proxy;
    }
    expect(await bbs.exited).toBe(1);
    expect(bbs.stderrText).toContain('m2bbs: the proxy stopped 5 times in a row soon after starting; see the lines above.\n');
    await untilAllGone(everyone);
  }, 60_000);

  it('brings everything back when every child is killed at once', async () => {
    const { bbs, http } = await startBbs();
    const children = descendants(bbs.child.pid ?? 0);
    expect(children.length).toBeGreaterThanOrEqual(3);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    await untilAllGone(children);

    expect((await everyNumberUp(http)).map((n) => n.number)).toEqual(['bbs.10', 'bbs.11']);
    const caller = await JsonSocketClient.open(http);
    caller.send('connect');
    expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    caller.destroy();
    expect(bbs.child.exitCode).toBeNull();
  });

  it('keeps trying while another program holds its port, and is back once the port is free', async () => {
    const { bbs, http } = await startBbs();
    const proxy = await childRunning(bbs.child.pid ?? 0, / proxy /, 'the proxy');
    // The supervisor is held still meanwhile, so the port is surely taken before it restarts the proxy.
    process.kill(bbs.child.pid ?? 0, 'SIGSTOP');
    try {
      process.kill(proxy, 'SIGKILL');
      await untilAllGone([proxy]);
      // Another test's connection may hold the freed port for a moment (it is an ephemeral one): try until ours.
      squatter = await until(() => listening(http), `port ${http} taken by the test`);
    } finally {
      process.kill(bbs.child.pid ?? 0, 'SIGCONT');
    }
    // A proxy is tried and ends, refused the port; then the port is given back.
    const tried = await childRunning(bbs.child.pid ?? 0, / proxy /, 'a proxy tried again');
    await untilAllGone([tried]);
    await new Promise((resolve) => squatter?.close(resolve));
    squatter = undefined;

    await everyNumberUp(http);
    const caller = await JsonSocketClient.open(http);
    caller.send('connect');
    expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    caller.destroy();
    expect(bbs.child.exitCode).toBeNull();
  });
});
