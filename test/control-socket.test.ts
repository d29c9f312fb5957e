import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Socket } from 'node:net';
import { controlRequest } from '../server/control-client.js';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { until } from './support/process-tree.js';
import { backendPid } from './support/started-bbs.js';
import { m2bbs, runFileOf, startBbs, type RunningBbs } from './support/running-bbs.js';

/** Sends `bytes` on the control socket at `path` and resolves with every JSON line it answered once it closed. */
function talk(path: string, bytes: string | undefined): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('connect', () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)));
  });
}

describe('the control socket of m2bbs start', () => {
  let running: RunningBbs;
  beforeAll(async () => {
    running = await startBbs(['--backends', '1']);
  });
  afterAll(async () => {
    await running.bbs.stop();
  });

  it('is named in <db>.run (0600, with the pid of m2bbs start) and lives in the BBS\'s 0700 folder', () => {
    expect(statSync(`${running.db}.run`).mode & 0o777).toBe(0o600);
    const run = runFileOf(running.db);
    expect(run.pid).toBe(running.bbs.child.pid);
    expect(run.token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(run.control).isSocket()).toBe(true);
    expect(statSync(dirname(run.control)).mode & 0o777).toBe(0o700);
  });

  it('refuses a request without the token, or with a wrong one, and logs the refusal', async () => {
    const { control, token } = runFileOf(running.db);
    const without = await talk(control, '{"op":"drain","number":"bbs.10"}\n');
    expect(without).toEqual([{ ok: false, error: expect.stringMatching(/token/) }]);
    const wrong = await talk(control, `${JSON.stringify({ op: 'drain', number: 'bbs.10', token: token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) })}\n`);
    expect(wrong).toEqual([{ ok: false, error: expect.stringMatching(/token/) }]);
    await running.bbs.waitForLog((r) => r.msg === 'control request refused' && r.why === 'wrong token' && r.op === 'drain' && r.number === 'bbs.10');
    // Nothing was drained: the backend still serves.
    const listed = (await (await fetch(`http://127.0.0.1:${running.http}/directory`)).json()) as { numbers: { number: string; up: boolean }[] };
    expect(listed.numbers.find((n) => n.number === 'bbs.10')?.up).toBe(true);
  });

  it('answers bad JSON and an unknown op with a clear error, and goes on answering', async () => {
    const { control, token } = runFileOf(running.db);
    expect(await talk(control, '{"op": drain\n')).toEqual([{ ok: false, error: expect.stringMatching(/one JSON object on one line/) }]);
    expect(await talk(control, '[1,2]\n')).toEqual([{ ok: false, error: expect.stringMatching(/JSON object/) }]);
    expect(await talk(control, `${JSON.stringify({ op: 'reboot', token })}\n`)).toEqual([{ ok: false, error: expect.stringMatching(/unknown op "reboot"; known: drain, upgrade, add/) }]);
    // Names every JavaScript object has are not ops.
    for (const inherited of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(await talk(control, `${JSON.stringify({ op: inherited, token })}\n`)).toEqual([{ ok: false, error: `unknown op "${inherited}"; known: drain, upgrade, add, broadcast, log` }]);
    }
    expect(await talk(control, `${JSON.stringify({ op: 'drain', token })}\n`)).toEqual([{ ok: false, error: expect.stringMatching(/needs "number"/) }]);
    expect(await talk(control, `${JSON.stringify({ op: 'drain', number: 'bbs.99', token })}\n`)).toEqual([{ ok: false, error: expect.stringMatching(/bbs\.99 is not a number of this BBS/) }]);
    await running.bbs.waitForLog((r) => r.msg === 'control request' && r.op === 'drain' && r.number === 'bbs.99' && r.ok === false);
  });

  it('closes a connection that says nothing, and one that sends an endless line', async () => {
    const { control } = runFileOf(running.db);
    expect(await talk(control, undefined)).toEqual([{ ok: false, error: expect.stringMatching(/no whole request within/) }]);
    expect(await talk(control, 'x'.repeat(200_000))).toEqual([{ ok: false, error: expect.stringMatching(/one JSON line of at most/) }]);
  });

  it('refuses a second m2bbs start on the same database before it binds anything; the first keeps its run file', { timeout: 30_000 }, async () => {
    const before = readFileSync(`${running.db}.run`, 'utf8');
    const second = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', running.db, '--log', 'json', '--backends', '1']);
    onTestFinished(() => second.stop().then(() => undefined));
    expect(await second.exited).toBe(1);
    // 'exit' may come before the last of stderr is read.
    await until(() => (second.stderrText.endsWith('\n') ? true : undefined), 'the refusal printed');
    expect(second.stderrText.trim().split('\n')).toEqual([`m2bbs start: a BBS already runs on this database (${running.db}), pid ${running.bbs.child.pid}; stop it first (or give another --db)`]);
    expect(readFileSync(`${running.db}.run`, 'utf8')).toBe(before);
    expect((await m2bbs(['drain', 'bbs.99', '--db', running.db])).stderr).toContain('bbs.99 is not a number of this BBS');
  });

  it('answers a connection over the cap with a line the command prints (not a reset), and serves again once they close', async () => {
    const { control, token } = runFileOf(running.db);
    // Sixteen local connections that say nothing hold every place.
    const idle = await Promise.all(
      Array.from({ length: 16 }, () => new Promise<Socket>((resolve, reject) => {
        const socket = createConnection(control, () => resolve(socket));
        socket.on('error', reject);
      })),
    );
    onTestFinished(() => idle.forEach((socket) => socket.destroy()));
    idle.forEach((socket) => socket.on('error', () => undefined));
    expect(await talk(control, `${JSON.stringify({ op: 'drain', number: 'bbs.99', token })}\n`)).toEqual([{ ok: false, error: 'too many control connections (16 open); try again' }]);
    await expect(controlRequest('m2bbs drain', running.db, 'drain', { number: 'bbs.99' }, () => undefined)).rejects.toThrow(/^m2bbs drain: too many control connections \(16 open\); try again$/);
    await running.bbs.waitForLog((r) => r.msg === 'control request refused' && r.why === 'too many connections');
    await Promise.all(idle.map((socket) => new Promise((closed) => socket.once('close', closed).destroy())));
    expect((await m2bbs(['drain', 'bbs.99', '--db', running.db])).stderr).toContain('bbs.99 is not a number of this BBS');
  });

  it('a command to a stopped m2bbs start (SIGSTOP) gives up with one line and exit code 1 instead of hanging', { timeout: 30_000 }, async () => {
    const pid = running.bbs.child.pid as number;
    process.kill(pid, 'SIGSTOP');
    onTestFinished(() => void process.kill(pid, 'SIGCONT'));
    // bbs.99 is no number of this BBS: the request, read once the BBS resumes, changes nothing.
    const stuck = await m2bbs(['drain', 'bbs.99', '--db', running.db, '--silence-ms', '1500']);
    expect(stuck.code).toBe(1);
    expect(stuck.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^m2bbs drain: the BBS on .*bbs\.db \(pid \d+\) sent nothing for 1\.5 s; is it stopped \(Ctrl-Z, SIGSTOP\)\?/)]);
    process.kill(pid, 'SIGCONT');
    expect((await m2bbs(['drain', 'bbs.99', '--db', running.db])).stderr).toContain('bbs.99 is not a number of this BBS');
  });

  it('does not believe a planted run file: readable by others, a control socket outside a private folder, or a pid that is not m2bbs start', async () => {
    const path = `${running.db}.run`;
    const real = readFileSync(path, 'utf8');
    onTestFinished(() => {
      writeFileSync(path, real);
      chmodSync(path, 0o600);
    });
    const run = runFileOf(running.db);
    const plant = (value: object, mode: number): void => {
      writeFileSync(path, JSON.stringify(value));
      chmodSync(path, mode);
    };
    plant(run, 0o644);
    const readable = await m2bbs(['drain', 'bbs.99', '--db', running.db]);
    expect(readable.code).toBe(1);
    expect(readable.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^m2bbs drain: the run file .*bbs\.db\.run may be read by other users \(mode 644\); not trusted/)]);
    // Another user's socket would sit in a folder others may enter.
    const open = mkdtempSync(join(tmpdir(), 'm2bbs-planted-'));
    onTestFinished(() => rmSync(open, { recursive: true, force: true }));
    chmodSync(open, 0o755);
    plant({ ...run, control: join(open, 'control.sock') }, 0o600);
    const elsewhere = await m2bbs(['drain', 'bbs.99', '--db', running.db]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/^m2bbs drain: the control socket's folder .*m2bbs-planted-.* may be read by other users \(mode 755\); not trusted/);
    // A live m2bbs process that is not a start (its backend) is no BBS to talk to.
    plant({ ...run, pid: await backendPid(running.bbs, 'bbs.10') }, 0o600);
    expect((await m2bbs(['drain', 'bbs.99', '--db', running.db])).stderr).toMatch(/^m2bbs drain: no BBS is running on /);
    plant(run, 0o600);
    expect((await m2bbs(['drain', 'bbs.99', '--db', running.db])).stderr).toContain('bbs.99 is not a number of this BBS');
  });

  it('m2bbs drain: a number this BBS does not have is one line and exit code 1; no number is a usage error, exit code 2', async () => {
    const unknown = await m2bbs(['drain', 'bbs.99', '--db', running.db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^m2bbs drain: bbs\.99 is not a number of this BBS \(it has bbs\.10\)$/)]);
    const viaEnv = await m2bbs(['drain', 'bbs.99'], { M2BBS_DB: running.db });
    expect(viaEnv.stderr).toContain('bbs.99 is not a number of this BBS');
    const usage = await m2bbs(['drain', '--db', running.db]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: m2bbs drain NUMBER');
    for (const command of ['drain', 'upgrade', 'add']) {
      const help = await m2bbs([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--db FILE');
      expect(help.stdout).toContain('M2BBS_DB');
    }
  });
});

describe('after m2bbs start stops', () => {
  it('the run file and the private folder are gone, the commands say no BBS runs there, and a stale run file is replaced', { timeout: 60_000 }, async () => {
    const running = await startBbs(['--backends', '1']);
    onTestFinished(() => running.bbs.stop().then(() => undefined));
    const { control } = runFileOf(running.db);
    running.bbs.child.kill('SIGTERM');
    expect(await running.bbs.exited).toBe(0);
    expect(existsSync(`${running.db}.run`)).toBe(false);
    expect(existsSync(dirname(control))).toBe(false);
    for (const command of [['drain', 'bbs.10'], ['upgrade'], ['add']]) {
      const after = await m2bbs([...command, '--db', running.db]);
      expect(after.code).toBe(1);
      expect(after.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^m2bbs ${command[0]}: no BBS is running on .*bbs\\.db`))]);
    }
    // A run file left by a start that was killed (its pid gone) is stale: ignored, then replaced.
    const stale = { pid: running.bbs.child.pid, control, token: 'f'.repeat(64) };
    writeFileSync(`${running.db}.run`, JSON.stringify(stale), { mode: 0o600 });
    expect((await m2bbs(['add', '--db', running.db])).stderr).toMatch(/^m2bbs add: no BBS is running on /);
    const again = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', running.db, '--log', 'json', '--backends', '1']);
    onTestFinished(() => again.stop().then(() => undefined));
    await again.waitForStdout(/Ctrl-C stops everything/);
    expect(runFileOf(running.db).pid).toBe(again.child.pid);
    expect((await m2bbs(['drain', 'bbs.99', '--db', running.db])).stderr).toContain('bbs.99 is not a number of this BBS');
    await again.stop();
    await running.bbs.stop();
  });
});
