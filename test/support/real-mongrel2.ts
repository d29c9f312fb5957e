/**
 * Runs Debian's real Mongrel2 (package mongrel2-core) on loopback, configured with one `@bbs`
 * route to a handler's send and recv specs, for interoperability tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../bench/free-ports.js';
import { configureMongrel2, hasMongrel2 } from '../../bench/mongrel2-server.js';
import { HandlerProcess } from './handler-process.js';
import { until } from './process-tree.js';

const SERVER_UUID = '2f62bd5c-9e59-49cd-993c-3b6013c28f05';
const SEND_IDENT = '54c6755b-9628-40a4-9a2d-cc82a816345e';
const ENV = { ...process.env, LOGNAME: 'm2bbs' };

export class RealMongrel2 {
  private constructor(
    private child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    readonly sendSpec: string,
    readonly recvSpec: string,
    /** What mongrel2 printed since it (last) started. */
    public output: () => string,
  ) {}

  /**
   * Writes a config, loads it with m2sh and starts mongrel2; resolves once it serves. With `ipc`,
   * the handler specs are ipc:// paths relative to Mongrel2's folder (its chroot when run as
   * root), in a 0700 folder `zmq/` there, and the backend is given their paths from outside.
   */
  static async start(options: { readonly ipc?: boolean } = {}): Promise<RealMongrel2> {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-mongrel2-'));
    for (const sub of ['logs', 'run', 'tmp']) mkdirSync(join(dir, sub));
    mkdirSync(join(dir, 'zmq'), { mode: 0o700 });
    const [port = 0, send = 0, recv = 0] = await freePorts(3);
    const specs = options.ipc === true ? { send: 'ipc://zmq/bbs10.requests', recv: 'ipc://zmq/bbs10.replies' } : { send: `tcp://127.0.0.1:${send}`, recv: `tcp://127.0.0.1:${recv}` };
    const sendSpec = options.ipc === true ? `ipc://${join(dir, 'zmq', 'bbs10.requests')}` : specs.send;
    const recvSpec = options.ipc === true ? `ipc://${join(dir, 'zmq', 'bbs10.replies')}` : specs.recv;
    configureMongrel2(dir, { uuid: SERVER_UUID, sendIdent: SEND_IDENT, sendSpec: specs.send, recvSpec: specs.recv, port });
    const { child, output } = await RealMongrel2.launch(dir);
    return new RealMongrel2(child, dir, port, sendSpec, recvSpec, output);
  }

  // Starts mongrel2 on the config in `dir`; resolves once it serves.
  private static async launch(dir: string): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn('mongrel2', ['config.sqlite', SERVER_UUID], { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        // Mongrel2 binds its listener and handler sockets before it says it is running.
        if (/Now running as UID|Not running as root/.test(output)) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`mongrel2 exited (${code}) at start-up:\n${output}`)));
    });
    return { child, output: () => output };
  }

  /**
   * Kills mongrel2 (its callers' connections go with it) and starts it again on the same ports
   * and config, as a sysop's restart does; a new server process numbers its connections afresh.
   */
  async restart(): Promise<void> {
    await this.kill();
    const { child, output } = await RealMongrel2.launch(this.dir);
    this.child = child;
    this.output = output;
  }

  /**
   * Resolves once Mongrel2 has closed its end of every handler connection (tcp:// specs): from
   * then on it knows no handler runs and holds callers' lines for the next. Until then a line it
   * takes goes down the dead handler's connection and is lost, as with any libzmq PUSH socket.
   */
  async untilNoHandler(): Promise<void> {
    const ports = [this.sendSpec, this.recvSpec].map((spec) => Number(/^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(spec)?.[1]));
    if (ports.some(Number.isNaN)) throw new Error('untilNoHandler reads tcp:// specs only');
    await until(() => (heldConnections(ports) === 0 ? true : undefined), 'Mongrel2 to close its end of the killed handler\'s connections');
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}

/** TCP connections open on this machine's side of `ports` (ESTABLISHED or CLOSE_WAIT), from /proc/net/tcp. */
function heldConnections(ports: readonly number[]): number {
  const held = new Set(ports.map((port) => port.toString(16).toUpperCase().padStart(4, '0')));
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter(([, local = '', , state]) => held.has(local.split(':')[1] ?? '') && (state === '01' || state === '08')).length;
}

/**
 * Whether this machine runs the real-Mongrel2 tests. CI installs Debian's mongrel2-core and sets
 * M2BBS_REQUIRE_MONGREL2, so there a missing Mongrel2 fails instead of skipping.
 */
export function mongrel2TestsRun(what: string): boolean {
  const available = hasMongrel2();
  if (!available && process.env.M2BBS_REQUIRE_MONGREL2) throw new Error('mongrel2 is required here: apt-get install mongrel2-core');
  if (!available) console.warn(`mongrel2 not installed (apt-get install mongrel2-core): ${what} not run`);
  return available;
}

/** A real Mongrel2 with one real `m2bbs handler` behind it. */
export interface Mongrel2Bbs {
  readonly m2: RealMongrel2;
  readonly handler: HandlerProcess;
  stop(): Promise<void>;
}

/** Starts Mongrel2 (on ipc:// specs with `ipc`) and a handler on its specs with `handlerArgs`; resolves once the handler is ready. */
export async function startMongrel2Bbs(handlerArgs: readonly string[], options: { readonly ipc?: boolean } = {}): Promise<Mongrel2Bbs> {
  const m2 = await RealMongrel2.start(options);
  const handler = HandlerProcess.start(['--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, ...handlerArgs]);
  await handler.ready();
  return {
    m2,
    handler,
    async stop() {
      await handler.stop();
      await m2.stop();
    },
  };
}
