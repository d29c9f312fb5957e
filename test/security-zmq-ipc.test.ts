/**
 * Under `m2bbs start` the backends' ZeroMQ endpoints are ipc sockets in a private 0700 folder: a
 * rogue process of another user (PULL, PUB and SUB, python3-zmq as `nobody`) cannot connect, so it
 * receives no caller's input and its forged prompts and hang-ups reach nobody, while a real caller
 * signs up, posts and reads the post back. The BBS runs under umask 0 there, so the socket files
 * themselves are world-writable and the folder alone stands in the way; as a control, the same
 * rogue against `--zmq tcp` does receive a caller's request. The folder stays, the same one,
 * while the proxy is restarted (no one else can take its name meanwhile), and is gone once the BBS
 * stops, also when `m2bbs start` itself is SIGKILLed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { HandlerProcess, type LogRecord } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { childRunning, descendants, isRunning, killAll, until, untilAllGone } from './support/process-tree.js';
import { RogueZmq } from './support/rogue-zmq.js';

const isRoot = process.getuid?.() === 0;
const mustRunAsRoot = process.env.M2BBS_REQUIRE_ROOT === '1';
if (!isRoot) console.warn(`security-zmq-ipc: not root, so no rogue can run as another user; that test is skipped${mustRunAsRoot ? ' (M2BBS_REQUIRE_ROOT=1: it fails instead)' : ''}`);

let bbs: HandlerProcess | undefined;
let rogue: RogueZmq | undefined;
let started: number[] = [];
afterEach(async () => {
  rogue?.stop();
  rogue = undefined;
  killAll(started);
  started = [];
  await bbs?.stop();
  bbs = undefined;
});

interface Running {
  readonly http: number;
  readonly requests: string;
  readonly replies: string;
  readonly folder: string;
}

async function startBbs(options: { readonly umask?: number; readonly zmq?: 'ipc' | 'tcp' } = {}): Promise<Running> {
  const args = ['start', '--log', 'json', '--bad-pass-delay-ms', '0', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', '--zmq', options.zmq ?? 'ipc'];
  // A child takes its umask from the process that spawns it (vitest runs test files in forks).
  const before = options.umask === undefined ? undefined : process.umask(options.umask);
  try {
    bbs = HandlerProcess.run(args);
  } finally {
    if (before !== undefined) process.umask(before);
  }
  const http = Number((await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  started = descendants(bbs.child.pid ?? 0);
  const ready = await bbs.waitForLog((r) => r.msg === 'proxy ready');
  const [first] = ready.backends as { sendSpec: string; recvSpec: string }[] & LogRecord[];
  const requests = String(first?.sendSpec);
  const replies = String(first?.recvSpec);
  expect(requests).toMatch(options.zmq === 'tcp' ? /^tcp:\/\/127\.0\.0\.1:\d+$/ : /^ipc:\/\//);
  return { http, requests, replies, folder: dirname(requests.slice('ipc://'.length)) };
}

describe('the ZeroMQ endpoints of m2bbs start', () => {
  it.skipIf(!isRoot && !mustRunAsRoot)("are out of another local user's reach: a rogue PULL/PUB/SUB is refused, receives nothing and forges nothing", async () => {
    expect(isRoot, 'M2BBS_REQUIRE_ROOT=1: this test needs root to run a rogue as user nobody').toBe(true);
    const { http, requests, replies, folder } = await startBbs({ umask: 0 });
    const mode = statSync(folder).mode & 0o777;
    expect(mode).toBe(0o700);
    expect(statSync(folder).uid).toBe(process.getuid?.());
    // Under umask 0 the sockets themselves let anyone connect: only the folder keeps the rogue out.
    for (const spec of [requests, replies]) expect(statSync(spec.slice('ipc://'.length)).mode & 0o777).toBe(0o777);

    rogue = RogueZmq.start(requests, replies, true);
    // Each of its sockets tried and was refused (the monitor says it will retry), none connected.
    for (const socket of ['pull', 'pub', 'sub']) await rogue.waitFor((r) => r.socket === socket && r.event === 'connect-retried', `${socket} refused`);

    const caller = await JsonSocketClient.open(http);
    try {
      expect((await caller.exchange('connect')).prompt?.msg).toBe("What's your name? (new callers: pick one)");
      await caller.exchange('carol');
      await caller.exchange('Pw-carol-4471');
      await caller.exchange('y');
      await caller.exchange('Pw-carol-4471');
      expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
      const turns = [await caller.exchange('1')];
      // Forged prompts and hang-ups for every likely connection id, while the caller is on.
      await rogue.forge();
      turns.push(await caller.exchange('carol was here'), await caller.exchange('.'));
      const read = await caller.exchange('2');
      expect(read.texts.join('\n')).toContain('carol was here');
      turns.push(read);
      while (!turns.some((turn) => turn.texts.join('\n').includes('see ya later, carol'))) turns.push(await caller.exchange('Q'));
      expect(JSON.stringify(turns)).not.toContain('FORGED');
    } finally {
      caller.destroy();
    }
    expect(await rogue.received()).toBe(0);
    expect(rogue.reports.filter((r) => r.event === 'connected' || r.event === 'handshake-succeeded')).toEqual([]);

    bbs?.child.kill('SIGTERM');
    expect(await bbs?.exited).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });

  it.skipIf(!isRoot && !mustRunAsRoot)('control: the same rogue against --zmq tcp does receive a caller\'s request', async () => {
    expect(isRoot, 'M2BBS_REQUIRE_ROOT=1: this test needs root to run a rogue as user nobody').toBe(true);
    const { http, requests, replies } = await startBbs({ zmq: 'tcp' });
    rogue = RogueZmq.start(requests, replies, true);
    await rogue.waitFor((r) => r.socket === 'pull' && r.event === 'handshake-succeeded', 'its PULL attached');
    // The proxy's PUSH deals the first number's requests round-robin between its real backend and
    // the rogue's PULL: callers dial that number (never @bbs, whose random choice of number could
    // miss it every time), and each is either answered or its request went to the rogue (fewer
    // callers than the per-address cap).
    const callers: JsonSocketClient[] = [];
    onTestFinished(() => callers.forEach((c) => c.destroy()));
    const stolen = rogue.waitFor((r) => typeof r.received === 'number' && r.received > 0, 'a request received');
    let outcome = 'served';
    for (let i = 0; i < 8 && outcome === 'served'; i++) {
      const caller = await JsonSocketClient.open(http, '@bbs.10');
      callers.push(caller);
      caller.send('connect');
      outcome = await Promise.race([caller.untilPrompt().then(() => 'served'), stolen.then(() => 'stolen')]);
    }
    expect(outcome).toBe('stolen');
    expect(await rogue.received()).toBeGreaterThan(0);
  });

  it('says so, exit 2, when the temp folder is too long for a Unix socket path, and suggests a shorter one', async () => {
    const long = join(tmpdir(), `m2bbs-long-${'x'.repeat(100)}`);
    mkdirSync(long, { recursive: true });
    onTestFinished(() => rmSync(long, { recursive: true, force: true }));
    const run = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db'], { TMPDIR: long });
    bbs = run;
    expect(await run.exited).toBe(2);
    expect(run.stderrText).toMatch(/^m2bbs start: backend bbs\.10: the ipc:\/\/ path ".*" is \d+ bytes long; a Unix socket path holds at most 107 \(use a shorter folder, e\.g\. set TMPDIR to a short one\); or use --zmq tcp\n$/);
    // No endpoint folder is left behind in it (tsx keeps its cache there).
    expect(readdirSync(long).filter((name) => name.startsWith('m2bbs-'))).toEqual([]);
  });

  it('keeps the same folder while the proxy is stopped with SIGTERM and restarted, and serves a caller after it', async () => {
    const { http, folder } = await startBbs();
    const inode = statSync(folder).ino;
    // Any removal or creation of the folder's name while the proxy restarts shows up here.
    const renames: string[] = [];
    const watcher = watch(dirname(folder), (event, name) => {
      if (name === basename(folder)) renames.push(event);
    });
    onTestFinished(() => watcher.close());
    const proxy = await childRunning(bbs?.child.pid ?? 0, / proxy /, 'the proxy');
    const readyLines = bbs?.records.length ?? 0;
    process.kill(proxy, 'SIGTERM');
    await until(() => (isRunning(proxy) ? undefined : true), 'the proxy to stop');
    await bbs?.waitForLog((r) => r.msg === 'proxy ready', readyLines);
    const caller = await until(async () => {
      const next = await JsonSocketClient.open(http).catch(() => undefined);
      if (next === undefined) return undefined;
      next.send('connect');
      const turn = await next.untilPrompt();
      next.destroy();
      return turn.texts.join('\n').includes('Welcome to the M2BBS.') ? turn : undefined;
    }, 'the restarted proxy to serve a caller');
    expect(caller.texts.join('\n')).toContain('Welcome to the M2BBS.');
    expect(renames).toEqual([]);
    expect(statSync(folder).ino).toBe(inode);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
  });

  it('keeps them in a 0700 folder that is gone after a SIGKILL of m2bbs start', async () => {
    const { folder } = await startBbs();
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    bbs?.child.kill('SIGKILL');
    await bbs?.exited;
    // The children see their supervisor gone and stop; the proxy, stopping last, removes the folder.
    await untilAllGone(started);
    await until(() => (existsSync(folder) ? undefined : true), 'the endpoint folder removed');
    await until(() => (existsSync(join(bbs?.dir ?? '', 'bbs.db.run')) ? undefined : true), 'the run file removed');
  });

  it('under --zmq tcp too, leaves neither its private folder (control socket) nor the run file after a SIGKILL of m2bbs start', async () => {
    await startBbs({ zmq: 'tcp' });
    const runFile = join(bbs?.dir ?? '', 'bbs.db.run');
    await until(() => (existsSync(runFile) ? true : undefined), 'the run file written');
    const folder = dirname((JSON.parse(readFileSync(runFile, 'utf8')) as { control: string }).control);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    bbs?.child.kill('SIGKILL');
    await bbs?.exited;
    // The proxy, orphaned and stopping last, removes the folder and the dead start's run file.
    await untilAllGone(started);
    await until(() => (existsSync(folder) ? undefined : true), 'the private folder removed');
    await until(() => (existsSync(runFile) ? undefined : true), 'the run file removed');
  });
});
