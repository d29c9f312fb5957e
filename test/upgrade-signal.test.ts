/**
 * SIGHUP to `m2bbs start` upgrades every backend (issue 16), and the links it made last: a proxy
 * that dies afterwards is started again with the new generations' endpoints only, and the new
 * backends serve its callers.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { childRunning, commandLine, descendants, isRunning, until } from './support/process-tree.js';
import { runFileOf, startBbs, type RunningBbs } from './support/running-bbs.js';
import { backendPid } from './support/started-bbs.js';

let running: RunningBbs | undefined;
const callers: JsonSocketClient[] = [];
afterEach(async () => {
  for (const caller of callers.splice(0)) caller.destroy();
  await running?.bbs.stop();
  running = undefined;
});

describe('SIGHUP to m2bbs start', () => {
  it('upgrades every backend; a proxy restarted afterwards is given the new links and callers reach the new backends; the old sockets go at once, the folder at stop', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '2']);
    const { bbs, http } = running;
    const root = bbs.child.pid ?? 0;
    const oldPids = [await backendPid(bbs, 'bbs.10'), await backendPid(bbs, 'bbs.11')];
    bbs.child.kill('SIGHUP');
    for (const number of ['bbs.10', 'bbs.11']) await bbs.waitForLog((r) => r.msg === 'backend upgraded' && r.backend === number);
    const newPids = [await backendPid(bbs, 'bbs.10', oldPids[0]), await backendPid(bbs, 'bbs.11', oldPids[1])];
    expect(oldPids.filter(isRunning)).toEqual([]);
    // The old generations' sockets are gone from the private folder; the new ones are there.
    const folder = dirname(runFileOf(running.db).control);
    expect(readdirSync(folder).filter((name) => name.startsWith('bbs.')).sort()).toEqual(['bbs.10.g2.replies', 'bbs.10.g2.requests', 'bbs.11.g2.replies', 'bbs.11.g2.requests']);

    const proxy = await childRunning(root, / proxy /, 'the proxy');
    process.kill(proxy, 'SIGKILL');
    const restarted = await until(() => descendants(root).find((pid) => pid !== proxy && / proxy /.test(commandLine(pid))), 'the new proxy');
    await bbs.waitForLog((r) => r.msg === 'proxy back');
    const args = commandLine(restarted);
    expect(args).toContain('bbs.10.g2.requests');
    expect(args).toContain('bbs.11.g2.requests');
    expect(args).not.toContain('bbs.10.requests');
    expect(args).not.toContain('bbs.11.requests');
    for (const number of ['bbs.10', 'bbs.11']) {
      const caller = await JsonSocketClient.open(http, `@${number}`);
      callers.push(caller);
      expect((await caller.exchange('connect')).texts.join('\n')).toContain('Welcome to the M2BBS.');
    }
    expect(newPids.every(isRunning)).toBe(true);
    running.bbs.child.kill('SIGTERM');
    expect(await running.bbs.exited).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });
});
