/**
 * `m2bbs upgrade` and `m2bbs drain` under `--journal off` (issue 16 review): a backend without a
 * journal stops at once on SIGTERM and the proxy hangs up its calls, so both commands refuse,
 * saying who would be cut off, and nothing changes: the caller goes on, the backends keep running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { isRunning } from './support/process-tree.js';
import { m2bbs, startBbs, type RunningBbs } from './support/running-bbs.js';
import { backendPid } from './support/started-bbs.js';

let running: RunningBbs | undefined;
const callers: JsonSocketClient[] = [];
afterEach(async () => {
  for (const caller of callers.splice(0)) caller.destroy();
  await running?.bbs.stop();
  running = undefined;
});

describe('m2bbs upgrade and drain under --journal off', () => {
  it('refuse with one line naming the callers who would drop; the caller and both backends go on', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '2', '--journal', 'off']);
    const { bbs, http, db } = running;
    const pids = [await backendPid(bbs, 'bbs.10'), await backendPid(bbs, 'bbs.11')];
    const caller = await JsonSocketClient.open(http, '@bbs.10');
    callers.push(caller);
    await caller.exchange('connect');

    const upgrade = await m2bbs(['upgrade', '--db', db]);
    expect(upgrade.code).toBe(1);
    expect(upgrade.stdout).toBe('');
    expect(upgrade.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^m2bbs upgrade: refused under --journal off: .*every caller on bbs\.10, bbs\.11 would be cut off \(NO CARRIER\)\. .*--journal on/),
    ]);
    const drain = await m2bbs(['drain', 'bbs.10', '--db', db]);
    expect(drain.code).toBe(1);
    expect(drain.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^m2bbs drain: refused under --journal off: .*every caller on bbs\.10 would be cut off/)]);

    // Nothing was signalled: the same processes serve, and the caller is answered where they were.
    expect(pids.every(isRunning)).toBe(true);
    expect(await backendPid(bbs, 'bbs.10')).toBe(pids[0]);
    const answered = await caller.exchange('nora');
    expect(answered.prompt?.msg).toMatch(/password/i);
    expect(answered.texts.join('\n')).not.toMatch(/NO CARRIER|line moved/);
    expect(bbs.records.some((r) => r.msg === 'backend upgraded' || r.msg === 'backend drained')).toBe(false);
  });
});
