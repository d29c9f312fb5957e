import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { M2BBS_BIN } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { commandLine, descendants, untilAllGone } from './support/process-tree.js';
import { TelnetCaller } from './support/telnet-caller.js';

describe('m2bbs start', () => {
  it('starts the proxy and two backends, says where to connect, and stops cleanly on Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-start-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [M2BBS_BIN, 'start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', join(dir, 'bbs.db')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const banner = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('Ctrl-C stops everything.')) resolve(stdout);
      });
      void exited.then((code) => reject(new Error(`m2bbs start exited (${code}):\n${stderr}`)));
    });
    expect(banner).toContain('m2bbs is up: the proxy and 2 backends');
    const http = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner);
    const telnet = /telnet 127\.0\.0\.1 (\d+)/.exec(banner);
    expect(http).not.toBeNull();
    expect(telnet).not.toBeNull();

    const onBbs10 = await JsonSocketClient.open(Number(http?.[1]), '@bbs.10');
    onBbs10.send('connect');
    expect((await onBbs10.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    const onBbs11 = await JsonSocketClient.open(Number(http?.[1]), '@bbs.11');
    onBbs11.send('connect');
    expect((await onBbs11.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    const byTelnet = await TelnetCaller.open(Number(telnet?.[1]), 'xterm');
    await byTelnet.waitFor("What's your name?");

    const bbsProcesses = descendants(child.pid ?? 0).filter((pid) => / (proxy|handler) /.test(commandLine(pid)));
    expect(bbsProcesses).toHaveLength(3);
    // Two malloc arenas each (server/supervised-child.ts), unless the environment said otherwise.
    const arenas = process.env.MALLOC_ARENA_MAX ?? '2';
    for (const pid of bbsProcesses) expect(readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')).toContain(`MALLOC_ARENA_MAX=${arenas}`);

    child.kill('SIGINT');
    await byTelnet.waitFor('The BBS is going down for now.');
    expect((await onBbs10.untilPrompt()).texts).toContain('The BBS is going down for now. Call again soon.');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Stopping the BBS...');
    await untilAllGone(bbsProcesses);
  });
});
