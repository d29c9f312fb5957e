/**
 * Debian's real Mongrel2 (mongrel2-core) for the bench: one `@bbs` route (JSON socket) to one
 * handler send_spec on loopback tcp, in a folder of its own; stopped by the pid in its pid file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BbsError } from '../common/errors.js';
import { freePorts } from './free-ports.js';

const SERVER_UUID = '6a1d1f4e-2b7c-4c55-9d1e-7e0b5f3a9c21';
const SEND_IDENT = 'b3c0e8d2-5f4a-4e61-8a7b-2d9c6e1f0a34';
const ENV = { ...process.env, LOGNAME: 'm2bbs' };

/** A running Mongrel2: its caller port and its handler's endpoints. */
export interface Mongrel2Server {
  /** Mongrel2's own process (it is told not to daemonize). */
  readonly pid: number;
  readonly port: number;
  readonly sendSpec: string;
  readonly recvSpec: string;
  /** Every route and its handler endpoints (the first is `@bbs` and the specs above, unless routes were named). */
  readonly routes: readonly Mongrel2Route[];
  stop(): Promise<void>;
}

/** A route of Mongrel2's and the endpoints of the handler behind it. */
export interface Mongrel2Route {
  readonly route: string;
  readonly sendSpec: string;
  readonly recvSpec: string;
}

/** True when `mongrel2` and `m2sh` are installed. */
export function hasMongrel2(): boolean {
  return ['mongrel2', 'm2sh'].every((command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0);
}

/** Where Mongrel2 listens for callers and which handler endpoints its `@bbs` route uses. */
export interface Mongrel2Setup {
  readonly uuid: string;
  readonly sendIdent: string;
  /** As Mongrel2 reads them (an ipc:// path may be relative to `dir`, its chroot). */
  readonly sendSpec: string;
  readonly recvSpec: string;
  readonly port: number;
  /** Routes each to a handler of their own, in place of one `@bbs` to the specs above. */
  readonly routes?: readonly Mongrel2Route[];
}

/** Writes `dir/mongrel2.conf` (one server on 127.0.0.1, one `@bbs` route, or the routes named) and loads it into `dir/config.sqlite` with m2sh. */
export function configureMongrel2(dir: string, setup: Mongrel2Setup): void {
  const routes = setup.routes ?? [{ route: '@bbs', sendSpec: setup.sendSpec, recvSpec: setup.recvSpec }];
  // Each handler's PUSH needs an identity of its own: the given one, its last two digits counting.
  const handlers = routes.map((r, i) => `h${i} = Handler(send_spec='${r.sendSpec}', send_ident='${setup.sendIdent.slice(0, -2)}${String(i).padStart(2, '0')}', recv_spec='${r.recvSpec}', recv_ident='')`);
  writeFileSync(
    join(dir, 'mongrel2.conf'),
    `${handlers.join('\n')}
main = Server(uuid="${setup.uuid}", access_log="/logs/access.log", error_log="/logs/error.log",
  chroot="./", pid_file="/run/mongrel2.pid", default_host="localhost", name="main",
  bind_addr="127.0.0.1", port=${setup.port}, hosts=[Host(name="localhost", routes={${routes.map((r, i) => `'${r.route}': h${i}`).join(', ')}})])
settings = {"zeromq.threads": 1, "limits.min_ping": 0, "server.daemonize": 0}
servers = [main]
`,
  );
  const load = spawnSync('m2sh', ['load', '-config', 'mongrel2.conf', '-db', 'config.sqlite'], { cwd: dir, env: ENV, encoding: 'utf8' });
  if (load.status !== 0) throw new BbsError('BBS_ERR_UNREACHABLE', `m2sh load failed: ${load.stderr}`);
}

/** Configures (m2sh load) and starts Mongrel2 in `dir`, with one `@bbs` route or one route per name in `routes`; resolves once it serves. */
export async function startMongrel2(dir: string, routeNames: readonly string[] = ['@bbs']): Promise<Mongrel2Server> {
  for (const sub of ['logs', 'run', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const [port = 0, ...specPorts] = await freePorts(1 + 2 * routeNames.length);
  const routes = routeNames.map((route, i) => ({ route, sendSpec: `tcp://127.0.0.1:${specPorts[2 * i]}`, recvSpec: `tcp://127.0.0.1:${specPorts[2 * i + 1]}` }));
  const { sendSpec, recvSpec } = routes[0] as Mongrel2Route;
  configureMongrel2(dir, { uuid: SERVER_UUID, sendIdent: SEND_IDENT, sendSpec, recvSpec, port, routes });
  const child = spawn('mongrel2', ['config.sqlite', SERVER_UUID], { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the bench ends without stopping it, Mongrel2 goes with it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  await running(child);
  return {
    pid: child.pid ?? 0,
    port,
    sendSpec,
    recvSpec,
    routes,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalByPidFile(join(dir, 'run', 'mongrel2.pid'), child);
      const late = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(late);
    },
  };
}

// Mongrel2 binds its listener and handler sockets before it says it is running.
function running(child: ChildProcess): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new BbsError('BBS_ERR_UNREACHABLE', `mongrel2 did not come up within 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (!/Now running as UID|Not running as root/.test(output)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new BbsError('BBS_ERR_UNREACHABLE', `mongrel2 exited (${code}) at start-up:\n${output}`));
    });
  });
}

// SIGTERM to the pid Mongrel2 wrote, as a sysop stops it; the child's own pid if the file is not there.
function signalByPidFile(file: string, child: ChildProcess): void {
  let pid = child.pid;
  try {
    const written = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(written) && written > 0) pid = written;
  } catch {
    // no pid file: the child's pid is Mongrel2's
  }
  try {
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
  } catch {
    child.kill('SIGKILL');
  }
}
