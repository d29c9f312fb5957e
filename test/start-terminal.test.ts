import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { M2BBS_BIN } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { descendants, killAll, processesMatching, until, untilAllGone } from './support/process-tree.js';
import { TmuxTerminal, hasTmux } from './support/tmux.js';

let term: TmuxTerminal | undefined;
let started: number[] = [];
let dir: string | undefined;
afterEach(() => {
  killAll(started);
  started = [];
  term?.close();
  term = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe.skipIf(!hasTmux())('m2bbs start on a terminal', () => {
  it('shows the banner and short human lines, keeps the JSON lines in m2bbs.log, and Ctrl-C stops it all', async () => {
    const folder = (dir = mkdtempSync(join(tmpdir(), 'm2bbs-term-')));
    const t = (term = new TmuxTerminal(200, 50));
    await t.shellBack();
    t.send(`'${process.execPath}' '${M2BBS_BIN}' start --listen 127.0.0.1:0 --telnet 127.0.0.1:0 --db '${folder}/bbs.db'`, 'Enter');
    const screen = await t.until((s) => s.includes('Ctrl-C stops everything.'), 'the banner', 30_000);
    const supervisor = await until(() => processesMatching(new RegExp(` start .*${folder}/bbs\\.db`))[0], 'the m2bbs start process');
    started = descendants(supervisor);

    expect(screen).toContain(`The full log is in ${folder}/m2bbs.log.`);
    expect(screen).not.toContain('{"time"');
    expect(screen).toMatch(/^\d\d:\d\d:\d\d proxy +\S/m);
    expect(screen).toMatch(/^\d\d:\d\d:\d\d bbs\.1[01] +\S/m);
    const records = readFileSync(join(folder, 'm2bbs.log'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.some((r) => r.proxy === true)).toBe(true);
    expect(records.some((r) => r.handler === 'bbs.10')).toBe(true);
    expect(records.some((r) => r.supervisor === true)).toBe(true);

    const caller = await JsonSocketClient.open(Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(screen)?.[1]));
    caller.send('connect');
    expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    caller.destroy();

    t.send('', 'C-c');
    expect(await t.shellBack()).toContain('Stopping the BBS...');
    await untilAllGone([supervisor, ...started]);
  });

  it('stops everything when its terminal closes, leaving no process, run file or private folder', async () => {
    const folder = (dir = mkdtempSync(join(tmpdir(), 'm2bbs-term-')));
    const t = (term = new TmuxTerminal(200, 50));
    await t.shellBack();
    t.send(`'${process.execPath}' '${M2BBS_BIN}' start --listen 127.0.0.1:0 --telnet 127.0.0.1:0 --db '${folder}/bbs.db'`, 'Enter');
    await t.until((s) => s.includes('Ctrl-C stops everything.'), 'the banner', 30_000);
    const supervisor = await until(() => processesMatching(new RegExp(` start .*${folder}/bbs\\.db`))[0], 'the m2bbs start process');
    started = descendants(supervisor);
    const run = JSON.parse(readFileSync(join(folder, 'bbs.db.run'), 'utf8')) as { control: string };
    expect(existsSync(run.control)).toBe(true);

    // Closing the terminal hangs it up (SIGHUP), which a sysop's `kill -HUP` (an upgrade) is not.
    t.close();
    term = undefined;
    await untilAllGone([supervisor, ...started]);
    expect(existsSync(join(folder, 'bbs.db.run'))).toBe(false);
    expect(existsSync(dirname(run.control))).toBe(false);
    expect(readFileSync(join(folder, 'm2bbs.log'), 'utf8')).not.toMatch(/upgrad/i);
  });
});
