/**
 * A drain that must wait, and a drained number that fails to come back (issue 16 review): with no
 * free line elsewhere `m2bbs drain` says the caller waits and finishes once a line frees; the last
 * number running is never drained; a drained number whose backend cannot start (bad screens) stays
 * this BBS's own, so `m2bbs add` says why each time, and starts it once the screens are mended.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { m2bbs, startBbs, type RunningBbs } from './support/running-bbs.js';
import { screenFolder } from './support/screen-folder.js';
import { untilShown } from './support/started-bbs.js';

let running: RunningBbs | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await running?.bbs.stop();
  running = undefined;
});

async function atMenu(http: number, number: string, name: string): Promise<JsonSocketClient> {
  const caller = await JsonSocketClient.open(http, `@${number}`);
  cleanups.push(() => caller.destroy());
  await caller.exchange('connect');
  for (const line of [name, 'secret12', 'y', 'secret12']) await caller.exchange(line);
  expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
  return caller;
}

describe('draining with no line free, and a drained number that cannot start again', () => {
  it('m2bbs drain says who waits and ends once a line frees; the last number is refused; a failed add bbs.10 can be tried again', { timeout: 90_000 }, async () => {
    const folder = screenFolder();
    running = await startBbs(['--backends', '2', '--max-callers', '1', '--screens', folder.dir]);
    const { http, db } = running;
    const mover = await atMenu(http, 'bbs.10', 'dora');
    const blocker = await atMenu(http, 'bbs.11', 'eddy');

    // Every other line is taken: the drain's output says the caller waits, and why.
    const drain = HandlerProcess.run(['drain', 'bbs.10', '--db', db]);
    cleanups.push(() => drain.stop());
    await drain.waitForStdout(/^bbs\.10: 1 caller waits: no free line on another number; they move when one frees/m);
    expect(drain.child.exitCode).toBe(null);
    // Commands that would only wait behind it are answered at once: adding bbs.10 back while it
    // drains, and draining bbs.11, the only other line (being drained, bbs.10 is none).
    const addBack = await m2bbs(['add', 'bbs.10', '--db', db]);
    expect(addBack.code).toBe(1);
    expect(addBack.stderr).toMatch(/^m2bbs add: bbs\.10 is being drained now; once that is over, m2bbs add bbs\.10 starts it again/);
    const other = await m2bbs(['drain', 'bbs.11', '--db', db]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^m2bbs drain: refused: bbs\.11 is the last number running/);
    expect(drain.child.exitCode).toBe(null);
    // A line frees: the caller moves there at once and the drain ends, having moved them.
    blocker.destroy();
    await drain.waitForStdout(/^bbs\.10 drained: 1 caller moved, 0 left/m);
    expect((await mover.untilPrompt()).texts[0]).toBe('-- line moved to @bbs.11 --');

    // bbs.11 is the only number running: draining it would leave its caller nowhere to go.
    const last = await m2bbs(['drain', 'bbs.11', '--db', db]);
    expect(last.code).toBe(1);
    expect(last.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^m2bbs drain: refused: bbs\.11 is the last number running, so its callers would have nowhere to move/)]);

    // Bad screens: bbs.10 cannot start; asked twice, it says so twice (still a number of this BBS).
    const menu = readFileSync(folder.path('main.menu'), 'utf8');
    folder.replace('main.menu', 'title: MAIN MENU\n1. Leave a message. -> leave_message\nP. Today\'s poll. -> flow poll\nQ. Quit the BBS. -> quit\n');
    for (let i = 0; i < 2; i++) {
      const add = await m2bbs(['add', 'bbs.10', '--db', db]);
      expect(add.code).toBe(1);
      expect(add.stderr).toMatch(/^m2bbs add: bbs\.10 did not start \(/);
      expect(add.stderr).toContain('main.menu:3: entry P points nowhere');
    }
    // Mended, it comes back on its endpoints and takes calls.
    folder.replace('main.menu', menu);
    const back = await m2bbs(['add', 'bbs.10', '--db', db]);
    expect(back.stderr).toBe('');
    expect(back.stdout).toContain('bbs.10 is up');
    await untilShown(http, 'bbs.10', true);
    await atMenu(http, 'bbs.10', 'fred');
    // The caller who moved was served on bbs.11 all along.
    expect((await mover.exchange('4')).texts.join('\n')).not.toMatch(/NO CARRIER/);
  });
});
