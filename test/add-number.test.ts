/**
 * Numbers added and drained while `m2bbs start` runs (issue 16): `m2bbs add` and SIGUSR2 bring in
 * bbs.12 and bbs.13, which the directory lists up and a caller dialling them by name reaches;
 * `m2bbs drain bbs.10` moves its caller to another number and ends its backend for good (listed
 * draining or DOWN, not restarted) until `m2bbs add bbs.10` starts it again.
 */
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { parseStartConfig } from '../server/start-config.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { commandLine, descendants, isRunning, until } from './support/process-tree.js';
import { m2bbs, m2bbsRunning, startBbs, type RunningBbs } from './support/running-bbs.js';
import { backendPid, directory, untilShown } from './support/started-bbs.js';

let running: RunningBbs | undefined;
const callers: JsonSocketClient[] = [];
afterEach(async () => {
  for (const caller of callers.splice(0)) caller.destroy();
  await running?.bbs.stop();
  running = undefined;
});

async function welcomed(http: number, number: string): Promise<void> {
  const caller = await JsonSocketClient.open(http, `@${number}`);
  callers.push(caller);
  expect((await caller.exchange('connect')).texts.join('\n')).toContain('Welcome to the M2BBS.');
}

/** A caller dialled to @bbs.10, signed up as `name` and at the main menu. */
async function signedUpAtMenu(http: number, name: string): Promise<JsonSocketClient> {
  const caller = await JsonSocketClient.open(http, '@bbs.10');
  callers.push(caller);
  await caller.exchange('connect');
  for (const line of [name, 'secret12', 'y', 'secret12']) await caller.exchange(line);
  expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
  return caller;
}

function handlersOf(running: RunningBbs, number: string): number[] {
  return descendants(running.bbs.child.pid ?? 0).filter((pid) => commandLine(pid).includes(` handler --name ${number} `));
}

describe('numbers added and drained while m2bbs start runs', () => {
  it('m2bbs add and SIGUSR2 add bbs.12 and bbs.13; callers reach them by name', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '2']);
    const { bbs, http, db } = running;
    const added = await m2bbs(['add', '--db', db]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('bbs.12 is up');
    const table = await m2bbs(['directory', `127.0.0.1:${http}`]);
    expect(table.stdout).toMatch(/^@bbs\.12\s+up\s/m);
    await welcomed(http, 'bbs.12');

    bbs.child.kill('SIGUSR2');
    await untilShown(http, 'bbs.13', true);
    await welcomed(http, 'bbs.13');
    await bbs.waitForLog((r) => r.msg === 'backend added' && r.backend === 'bbs.13');
    expect((await directory(http)).map((n) => n.number)).toEqual(['bbs.10', 'bbs.11', 'bbs.12', 'bbs.13']);
  });

  it('m2bbs drain bbs.10 moves its caller and ends its backend for good; m2bbs add bbs.10 starts it again', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '2', '--restart-delay-ms', '10']);
    const { bbs, http, db } = running;
    const oldPid = await backendPid(bbs, 'bbs.10');
    const caller = await signedUpAtMenu(http, 'dora');

    const drained = await m2bbs(['drain', 'bbs.10', '--db', db]);
    expect(drained.stderr).toBe('');
    expect(drained.code).toBe(0);
    expect(drained.stdout).toMatch(/bbs\.10 drained: 1 caller moved, 0 left/);

    // The caller was moved at the menu they sat at, to the other number, still logged in.
    const moved = await caller.untilPrompt();
    expect(moved.texts[0]).toBe('-- line moved to @bbs.11 --');
    expect(moved.prompt?.msg).toContain('MAIN MENU');
    expect((await caller.exchange('4')).texts.join('\n')).not.toMatch(/name\?|NO CARRIER/);

    // Moved once already, the caller is moved again, at once, when the number it is on is upgraded.
    const upgraded = await m2bbs(['upgrade', 'bbs.11', '--db', db]);
    expect(upgraded.code).toBe(0);
    expect(upgraded.stdout).toMatch(/bbs\.11 upgraded: 1 caller moved, 0 left/);
    expect((await caller.untilPrompt()).texts[0]).toBe('-- line moved to @bbs.11 --');

    // The process is gone and listed as not taking calls; another add (far longer than the
    // 10 ms restart delay) comes and goes without bbs.10 being started again.
    expect(isRunning(oldPid)).toBe(false);
    const entry = (await directory(http)).find((n) => n.number === 'bbs.10');
    expect(entry !== undefined && !(entry.up && entry.draining !== true)).toBe(true);
    expect((await m2bbs(['add', '--db', db])).code).toBe(0);
    expect(handlersOf(running, 'bbs.10')).toEqual([]);
    expect(bbs.records.some((r) => r.msg === 'backend exited; restarting' && r.backend === 'bbs.10')).toBe(false);
    const again = await m2bbs(['drain', 'bbs.10', '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('bbs.10 is already drained');

    // Named, it comes back on its endpoints.
    const back = await m2bbs(['add', 'bbs.10', '--db', db]);
    expect(back.code).toBe(0);
    await until(async () => ((await directory(http)).find((n) => n.number === 'bbs.10' && n.up && n.draining !== true) ? true : undefined), 'bbs.10 up again');
    await welcomed(http, 'bbs.10');
    expect(await backendPid(bbs, 'bbs.10', oldPid)).not.toBe(oldPid);
  });

  it("a sysop's SIGTERM to a backend drains it out of rotation, as m2bbs drain does: moved, not restarted, m2bbs add starts it again", { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '2', '--restart-delay-ms', '10']);
    const { bbs, http, db } = running;
    const oldPid = await backendPid(bbs, 'bbs.10');
    const caller = await signedUpAtMenu(http, 'sigdora');

    process.kill(oldPid, 'SIGTERM');
    expect((await caller.untilPrompt()).texts[0]).toBe('-- line moved to @bbs.11 --');
    const said = await bbs.waitForLog((r) => r.msg === 'backend drained by SIGTERM: not restarted (m2bbs add starts it again)');
    expect(said).toMatchObject({ backend: 'bbs.10', moved: 1, left: 0 });
    expect(isRunning(oldPid)).toBe(false);
    // Far longer than the 10 ms restart delay: an add comes and goes without bbs.10 started again.
    expect((await m2bbs(['add', '--db', db])).code).toBe(0);
    expect(handlersOf(running, 'bbs.10')).toEqual([]);
    expect(bbs.records.some((r) => r.msg === 'backend exited; restarting' && r.backend === 'bbs.10')).toBe(false);
    expect((await m2bbs(['add', 'bbs.10', '--db', db])).code).toBe(0);
    await welcomed(http, 'bbs.10');
  });

  it('m2bbs add and SIGUSR2 refuse past --max-backends, with one line; a drained number started again counts too', { timeout: 60_000 }, async () => {
    expect(parseStartConfig([], {}).maxBackends).toBe(16);
    expect(parseStartConfig(['--backends', '20'], {}).maxBackends).toBe(20);
    expect(parseStartConfig([], { M2BBS_MAX_BACKENDS: '4' }).maxBackends).toBe(4);
    expect(() => parseStartConfig(['--backends', '3', '--max-backends', '2'], {})).toThrow('--max-backends: expected at least --backends (3), got 2');
    running = await startBbs(['--backends', '2', '--max-backends', '3']);
    const { bbs, http, db } = running;
    expect((await m2bbs(['add', '--db', db])).stdout).toContain('bbs.12 is up');
    const refused = await m2bbs(['add', '--db', db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      "m2bbs add: refused: adding bbs.13 would make 4 backends, past this BBS's --max-backends (3, M2BBS_MAX_BACKENDS); m2bbs drain one first, or start the BBS with a higher --max-backends",
    ]);
    bbs.child.kill('SIGUSR2');
    await bbs.waitForLog((r) => r.msg === 'add failed' && typeof r.why === 'string' && r.why.includes('--max-backends (3'));
    expect((await directory(http)).map((n) => n.number)).toEqual(['bbs.10', 'bbs.11', 'bbs.12']);
    // Drained, bbs.10 frees a place: another add may have it, and then bbs.10 may not come back.
    expect((await m2bbs(['drain', 'bbs.10', '--db', db])).code).toBe(0);
    expect((await m2bbs(['add', '--db', db])).stdout).toContain('bbs.13 is up');
    const back = await m2bbs(['add', 'bbs.10', '--db', db]);
    expect(back.code).toBe(1);
    expect(back.stderr).toContain("refused: starting bbs.10 again would make 4 backends, past this BBS's --max-backends (3");
  });

  it('a command queued behind a drain that waits says so at once; m2bbs add is not queued and gives the drain its line', { timeout: 90_000 }, async () => {
    running = await startBbs(['--backends', '2', '--max-callers', '1']);
    const { bbs, http, db } = running;
    await welcomed(http, 'bbs.10');
    await welcomed(http, 'bbs.11');
    // Every line is taken: the drain of bbs.10 waits for one.
    const drain = m2bbsRunning(['drain', 'bbs.10', '--db', db]);
    onTestFinished(() => drain.kill());
    await until(() => (/bbs\.10: 1 caller waits: no free line on another number/.test(drain.stdout()) ? true : undefined), 'the drain waiting');
    const upgrade = m2bbsRunning(['upgrade', 'bbs.11', '--db', db]);
    onTestFinished(() => upgrade.kill());
    await until(() => (upgrade.stdout().includes('waiting for `drain bbs.10` to finish') ? true : undefined), 'the upgrade saying what it waits for');
    expect(upgrade.stdout()).toBe('waiting for `drain bbs.10` to finish\n');
    const added = await m2bbs(['add', '--db', db]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('bbs.12 is up');
    const drained = await drain.done;
    expect(drained.code).toBe(0);
    expect(drained.stdout).toMatch(/bbs\.10 drained: 1 caller moved, 0 left/);
    const upgraded = await upgrade.done;
    expect(upgraded.code).toBe(0);
    // No generation number that the directory would contradict.
    expect(upgraded.stdout.trim().split('\n')).toEqual([
      'waiting for `drain bbs.10` to finish',
      'bbs.11: starting the new backend',
      'bbs.11: new backend up; moving callers off the old one',
      expect.stringMatching(/^bbs\.11 upgraded: 1 caller moved, 0 left, in \d+\.\d s$/),
      'upgraded 1 backend',
    ]);
    expect(bbs.records.some((r) => r.msg === 'backend upgraded' && r.backend === 'bbs.11')).toBe(true);
  });

  it('under --zmq curve, an added number is let in on its own key and reached by name', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '1', '--zmq', 'curve']);
    const added = await m2bbs(['add', '--db', running.db]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('bbs.11 is up');
    await welcomed(running.http, 'bbs.11');
  });
});
