import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerProcess, M2BBS_BIN } from './support/handler-process.js';
import { rawExchange } from './support/json-socket-client.js';
import { childRunning, descendants, killAll, untilAllGone } from './support/process-tree.js';
import { TelnetCaller } from './support/telnet-caller.js';

let started: number[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  killAll(started);
  started = [];
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const START_ARGS = ['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0'];

describe('m2bbs start, when the supervisor goes', () => {
  it('SIGKILLed: the proxy and backends stop by themselves and free their ports', async () => {
    const bbs = HandlerProcess.run([...START_ARGS, '--db', '$DIR/bbs.db']);
    cleanups.push(() => void bbs.stop());
    const banner = (await bbs.waitForStdout(/Ctrl-C stops everything\./)).input;
    const http = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1]);
    const supervisor = bbs.child.pid ?? 0;
    await childRunning(supervisor, / proxy /, 'the proxy');
    started = descendants(supervisor);
    expect(started.length).toBeGreaterThanOrEqual(3);
    const caller = await TelnetCaller.open(Number(/telnet 127\.0\.0\.1 (\d+)/.exec(banner)?.[1]), 'xterm');
    await caller.waitFor("What's your name?");

    process.kill(supervisor, 'SIGKILL');
    // The proxy, going, still tells its callers.
    await caller.waitFor('The BBS is going down for now.');
    await untilAllGone(started);
    await expect(rawExchange(http, '@bbs {"type":"msg","msg":"connect"}\0')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('SIGKILLed while its backends are still starting (and log nothing that could fail): they stop too', async () => {
    const bbs = HandlerProcess.run([...START_ARGS, '--db', '$DIR/bbs.db', '--log-level', 'silent']);
    cleanups.push(() => void bbs.stop());
    const supervisor = bbs.child.pid ?? 0;
    await childRunning(supervisor, / handler /, 'a backend');
    started = descendants(supervisor);
    process.kill(supervisor, 'SIGKILL');
    await untilAllGone(started);
  });

  it('Ctrl-C to a pipeline (m2bbs start 2>&1 | cat) stops every process, though cat dies with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-pipe-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const command = [process.execPath, M2BBS_BIN, ...START_ARGS, '--db', join(dir, 'bbs.db')].map((arg) => `'${arg}'`).join(' ');
    // A process group of its own, as a terminal gives a foreground pipeline.
    const shell = spawn('sh', ['-c', `${command} 2>&1 | cat`], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    cleanups.push(() => {
      try {
        process.kill(-(shell.pid ?? 0), 'SIGKILL');
      } catch {
        // the group has gone
      }
    });
    const exited = new Promise<number | null>((resolve) => shell.on('exit', (code) => resolve(code)));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Ctrl-C stops everything.')) resolve();
      });
      void exited.then((code) => reject(new Error(`the pipeline exited (${code}):\n${output}`)));
    });
    await childRunning(shell.pid ?? 0, / proxy /, 'the proxy');
    started = descendants(shell.pid ?? 0);
    expect(started.length).toBeGreaterThanOrEqual(5); // m2bbs start, cat, the proxy, two backends

    process.kill(-(shell.pid ?? 0), 'SIGINT');
    await exited;
    await untilAllGone(started);
  });
});
