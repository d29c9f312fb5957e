/**
 * The event bus device as a sysop runs it: hosted by `m2bbs start` (every backend it starts, an
 * added number's too, is given its --bus and is ready only once its events come back through
 * it), alone as `m2bbs bus`, and a handler's --bus refused clearly when it is malformed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { readCert, writeKeyPair } from '../common/curve-cert.js';
import type { HandlerCurve } from '../common/curve-flags.js';
import { createLogger } from '../common/log.js';
import { createEventBus, parseBusSpec, type EventBus } from '../handler/event-bus.js';
import { HandlerProcess } from './support/handler-process.js';
import { commandLine, descendants, untilAllGone } from './support/process-tree.js';
import { m2bbs, startBbs, type RunningBbs } from './support/running-bbs.js';

const log = createLogger('silent');
let running: RunningBbs | undefined;
const buses: EventBus[] = [];
afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
  await running?.bbs.stop();
  running = undefined;
});

function busFlagOf(pid: number): string | undefined {
  return / --bus (\S+)/.exec(commandLine(pid))?.[1];
}

/** Resolves once an event published through the device at `spec` comes back to a second client. */
async function carries(spec: string, curve?: HandlerCurve): Promise<void> {
  const parsed = parseBusSpec(spec);
  if ('problem' in parsed) throw new Error(parsed.problem);
  const a = createEventBus({ spec: parsed, curve, log });
  const b = createEventBus({ spec: parsed, curve, log });
  buses.push(a, b);
  await Promise.all([a.connected, b.connected]);
  const heard = new Promise<unknown>((resolve) => b.onEvent((topic, body) => topic === 'broadcast/' && resolve(body)));
  a.publish('broadcast/', { text: 'hello, all' });
  expect(await heard).toEqual({ text: 'hello, all' });
}

describe('the bus under m2bbs start', () => {
  it('gives every backend, an added one too, the same --bus, which carries events; nothing is left after Ctrl-C', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '2']);
    const { bbs, db } = running;
    const added = await m2bbs(['add', '--db', db]);
    expect(added.stdout).toContain('bbs.12 is up');
    const handlers = descendants(bbs.child.pid ?? 0).filter((pid) => commandLine(pid).includes(' handler '));
    expect(handlers).toHaveLength(3);
    const specs = new Set(handlers.map(busFlagOf));
    expect(specs.size).toBe(1);
    const [spec = ''] = specs;
    expect(spec).toMatch(/^ipc:\/\/\S+\/bus\.in,ipc:\/\/\S+\/bus\.out$/);
    await carries(spec);
    const everyone = descendants(bbs.child.pid ?? 0);
    bbs.child.kill('SIGINT');
    expect(await bbs.exited).toBe(0);
    await untilAllGone(everyone);
    expect(existsSync(spec.slice('ipc://'.length, spec.indexOf(',')))).toBe(false);
  });

  it('under --zmq curve the backends reach the bus over CURVE on loopback tcp; a client without a key gets nothing through', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '2', '--zmq', 'curve']);
    const handlers = descendants(running.bbs.child.pid ?? 0).filter((pid) => commandLine(pid).includes(' handler '));
    expect(handlers).toHaveLength(2);
    // Each backend said it was ready only once its probe came back through the device: the banner proves it.
    for (const pid of handlers) expect(busFlagOf(pid)).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+,tcp:\/\/127\.0\.0\.1:\d+$/);
    const parsed = parseBusSpec(busFlagOf(handlers[0] ?? 0) ?? '');
    if ('problem' in parsed) throw new Error(parsed.problem);
    // A client with no key, started first, then one with a backend's key (the one m2bbs start made).
    const keyless = createEventBus({ spec: parsed, log });
    buses.push(keyless);
    let keylessConnected = false;
    void keyless.connected.then(() => (keylessConnected = true));
    const keylessHeard: unknown[] = [];
    keyless.onEvent((topic, body) => keylessHeard.push(body));
    const flags = commandLine(handlers[0] ?? 0);
    const secretFile = / --curve-key (\S+)/.exec(flags)?.[1] ?? '';
    const serverFile = / --curve-server (\S+)/.exec(flags)?.[1] ?? '';
    const own = readCert('key', secretFile, 'secret');
    const server = readCert('server', serverFile, 'public');
    if ('problem' in own) throw new Error(own.problem);
    if ('problem' in server) throw new Error(server.problem);
    const keyed = createEventBus({ spec: parsed, curve: { publicKey: own.cert.publicKey, secretKey: own.cert.secretKey ?? '', serverKey: server.cert.publicKey }, log });
    buses.push(keyed);
    await keyed.connected;
    const heard = new Promise<unknown>((resolve) => keyed.onEvent((topic, body) => topic === 'broadcast/' && resolve(body)));
    keyless.publish('broadcast/', { text: 'forged' });
    keyed.publish('broadcast/', { text: 'from a backend key' });
    expect(await heard).toEqual({ text: 'from a backend key' });
    // The keyless client's probe went out before the keyed one's and never came back: refused.
    expect(keylessConnected).toBe(false);
    expect(keylessHeard).toEqual([]);
  });

  it('a second Ctrl-C while it stops ends m2bbs start at once, its bus with it, and nothing is left', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '1']);
    const { bbs } = running;
    const everyone = descendants(bbs.child.pid ?? 0);
    bbs.child.kill('SIGINT');
    await bbs.waitForStdout(/Stopping the BBS\.\.\./);
    // Before the bus was stopped as the process exits, exiting here waited for ever on the
    // device's thread, its children left unreaped.
    bbs.child.kill('SIGINT');
    // 1 when the second Ctrl-C came while the BBS stopped, 0 when the first had already finished.
    expect([0, 1]).toContain(await bbs.exited);
    await untilAllGone(everyone);
  });
});

describe('the bus interrupted by signals', () => {
  it('binds its device again when a storm of SIGCHLD interrupts it, carries events still, and leaves nothing after Ctrl-C', { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '1']);
    const { bbs } = running;
    const supervisor = bbs.child.pid ?? 0;
    const [handler = 0] = descendants(supervisor).filter((pid) => commandLine(pid).includes(' handler '));
    const spec = busFlagOf(handler) ?? '';
    await carries(spec);
    const folder = /^ipc:\/\/(\S+)\/bus\.in,/.exec(spec)?.[1] ?? '';
    expect(existsSync(folder)).toBe(true);
    // zmq_proxy returns on EINTR: a signal landing on its thread, as when children die together.
    const logged = bbs.records.length;
    const storms = Array.from({ length: 4 }, () => spawn('bash', ['-c', `while kill -CHLD ${supervisor} 2>/dev/null; do :; done`], { stdio: 'ignore' }));
    const calm = (): void => storms.forEach((storm) => storm.kill('SIGKILL'));
    onTestFinished(calm);
    await bbs.waitForLog((r) => r.msg === 'bus device interrupted: binding it again', logged);
    calm();
    await Promise.all(storms.map((storm) => (storm.exitCode !== null || storm.signalCode !== null ? undefined : new Promise((resolve) => storm.once('exit', resolve)))));
    // The backend's sockets reconnect and subscribe again by themselves: events go through.
    await carries(spec);
    expect(bbs.records.slice(logged).filter((r) => r.msg === 'bus device stopped')).toEqual([]);
    const everyone = descendants(supervisor);
    bbs.child.kill('SIGINT');
    expect(await bbs.exited).toBe(0);
    await untilAllGone(everyone);
    expect(existsSync(folder)).toBe(false);
  });
});

describe('m2bbs bus', () => {
  it('runs the device, says the --bus to give handlers, carries events, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bus-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const device = HandlerProcess.run(['bus', '--in', `ipc://${join(dir, 'in')}`, '--out', `ipc://${join(dir, 'out')}`, '--log-level', 'silent']);
    onTestFinished(async () => {
      await device.stop();
    });
    const spec = (await device.waitForStdout(/--bus (\S+)/))[1] ?? '';
    expect(spec).toBe(`ipc://${join(dir, 'in')},ipc://${join(dir, 'out')}`);
    await carries(spec);
    const child = device.child.pid ?? 0;
    expect(commandLine(child)).toContain(` bus --in ipc://${join(dir, 'in')}`);
    device.child.kill('SIGTERM');
    expect(await device.exited).toBe(0);
    await untilAllGone([child]);
  });

  it('with --curve-key speaks CURVE: handlers with a listed key carry events, an unlisted key is refused and logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bus-keys-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'clients'));
    const server = writeKeyPair(dir, 'proxy');
    const listed = writeKeyPair(join(dir, 'clients'), 'bbs.20');
    const stranger = writeKeyPair(dir, 'stranger');
    const keysOf = (secretFile: string): HandlerCurve => {
      const read = readCert('key', secretFile, 'secret');
      if ('problem' in read) throw new Error(read.problem);
      return { publicKey: read.cert.publicKey, secretKey: read.cert.secretKey ?? '', serverKey: server.publicKey };
    };
    const device = HandlerProcess.run(['bus', '--in', 'tcp://127.0.0.1:*', '--out', 'tcp://127.0.0.1:*', '--curve-key', server.secretFile, '--curve-clients', join(dir, 'clients')]);
    onTestFinished(async () => {
      await device.stop();
    });
    const spec = (await device.waitForStdout(/--bus (\S+)/))[1] ?? '';
    await carries(spec, keysOf(listed.secretFile));
    const parsed = parseBusSpec(spec);
    if ('problem' in parsed) throw new Error(parsed.problem);
    buses.push(createEventBus({ spec: parsed, curve: keysOf(stranger.secretFile), log }));
    const refused = await device.waitForLog((r) => r.msg === 'backend key refused');
    expect(refused.key).toBe(stranger.publicKey);
  });

  it('refuses an endpoint open to the network, or two the same, saying which', async () => {
    const run = await m2bbs(['bus', '--in', 'tcp://0.0.0.0:9950', '--out', 'tcp://0.0.0.0:9950']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--in: tcp://0.0.0.0:9950 would be open to the network; without --curve-key');
    expect(run.stderr).toContain('--in and --out must differ');
  });
});

describe('m2bbs bus that cannot bind', () => {
  it('says which endpoint and why, and exits 1', async () => {
    const run = await m2bbs(['bus', '--in', 'ipc:///nonexistent-m2bbs-folder/bus.in', '--out', 'ipc:///nonexistent-m2bbs-folder/bus.out']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("m2bbs bus: cannot bind the bus's in endpoint ipc:///nonexistent-m2bbs-folder/bus.in");
  });
});

describe('m2bbs handler --bus', () => {
  it('refuses a malformed spec with the other flags, before starting', async () => {
    const handler = HandlerProcess.start(['--bus', 'ipc:///nowhere/bus.in', '--name', 'bad name'], { channel: false });
    onTestFinished(async () => {
      await handler.stop();
    });
    expect(await handler.exited).toBe(2);
    expect(handler.stderrText).toContain('--bus: expected two ZeroMQ endpoints IN,OUT');
    expect(handler.stderrText).toContain('--name:');
  });

  it('refuses a bus ipc socket in a folder other users may write to, before connecting anything', async () => {
    const open = mkdtempSync(join(tmpdir(), 'm2bbs-bus-open-'));
    onTestFinished(() => rmSync(open, { recursive: true, force: true }));
    chmodSync(open, 0o777);
    const handler = HandlerProcess.start(['--bus', `ipc://${join(open, 'in')},ipc://${join(open, 'out')}`], { channel: false });
    onTestFinished(async () => {
      await handler.stop();
    });
    expect(await handler.exited).toBe(1);
    expect(handler.stderrText).toContain(`--bus: the folder ${open} of ipc://${join(open, 'in')} may be written by other users (mode 777)`);
  });

  it('reads M2BBS_BUS and names the side that is wrong', async () => {
    const run = await m2bbs(['handler', '--db', join(tmpdir(), 'never-made.db')], { M2BBS_BUS: 'tcp://127.0.0.1:9950,http://x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--bus: OUT expected a ZeroMQ endpoint');
  });
});
