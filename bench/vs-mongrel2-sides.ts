/**
 * The two servers of `--scenario vs-mongrel2`, each with the same handler behind it: real Mongrel2
 * (mongrel2-core) and the m2bbs proxy, the handler being the foreign echo handler or an m2bbs
 * backend. Each side is started once, in a folder of its own, and stopped cleanly after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BbsError } from '../common/errors.js';
import { seedAccounts } from './accounts.js';
import type { Dial } from './caller.js';
import { profiledEnv } from './bbs-under-test.js';
import { freePorts } from './free-ports.js';
import { jsonSocketDial } from './json-socket-wire.js';
import { killedWithTheBench, startM2bbs, stopChild, untilLogged } from './m2bbs-process.js';
import { startMongrel2, type Mongrel2Server } from './mongrel2-server.js';

const ECHO_HANDLER = fileURLToPath(new URL('./mongrel2-echo-handler.ts', import.meta.url));

export type ServerName = 'mongrel2' | 'm2bbs';
export type HandlerKind = 'echo' | 'bbs';

/** One server with its handler, ready for callers. */
export interface Side {
  readonly server: ServerName;
  /** The server process (Mongrel2's own pid, or the proxy's). */
  readonly serverPid: number;
  /** The handler process behind it. */
  readonly handlerPid: number;
  readonly port: number;
  /** What callers dial: `@bbs` on Mongrel2 (its route), `@bbs.10` on the proxy (the number itself, no dialling). */
  readonly route: string;
  readonly dial: Dial;
  stop(): Promise<void>;
}

/** Starts `server` with a `handler` behind it; `names` are seeded as accounts for an m2bbs backend. */
export async function startSide(server: ServerName, handler: HandlerKind, names: readonly string[], profileDir?: string): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), `m2bbs-bench-vs-${server}-`));
  const stops: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const db = join(dir, 'bbs.db');
    if (handler === 'bbs') await seedAccounts(db, names);
    const front = server === 'mongrel2' ? await mongrel2Front(dir) : await proxyFront(dir, handler === 'bbs', profileDir);
    stops.push(front.stop);
    const handlerProcess = handler === 'echo' ? echoHandler(front.sendSpec, front.recvSpec) : bbsHandler(dir, front.sendSpec, front.recvSpec, db);
    stops.push(() => stopChild(handlerProcess, handler === 'echo' ? 'SIGTERM' : 'SIGINT'));
    await front.handlerUp(handlerProcess);
    const route = server === 'mongrel2' ? '@bbs' : '@bbs.10';
    const dial = jsonSocketDial('127.0.0.1', front.port, route);
    await answers(dial, handlerProcess);
    return { server, serverPid: front.pid, handlerPid: handlerProcess.pid ?? 0, port: front.port, route, dial, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Front {
  readonly pid: number;
  readonly port: number;
  readonly sendSpec: string;
  readonly recvSpec: string;
  /** Resolves once the server sees the handler connected (the proxy says so; Mongrel2 is asked by a call). */
  handlerUp(handler: ChildProcess): Promise<void>;
  stop(): Promise<void>;
}

async function mongrel2Front(dir: string): Promise<Front> {
  const folder = join(dir, 'mongrel2');
  mkdirSync(folder);
  const m2: Mongrel2Server = await startMongrel2(folder);
  return { pid: m2.pid, port: m2.port, sendSpec: m2.sendSpec, recvSpec: m2.recvSpec, handlerUp: () => Promise.resolve(), stop: () => m2.stop() };
}

async function proxyFront(dir: string, batchRequests: boolean, profileDir: string | undefined): Promise<Front> {
  const [send = 0, recv = 0] = await freePorts(2);
  const sendSpec = `tcp://127.0.0.1:${send}`;
  const recvSpec = `tcp://127.0.0.1:${recv}`;
  const log = join(dir, 'proxy.log');
  // Every bench caller comes from 127.0.0.1: the per-address and total caps are raised past them.
  const args = ['proxy', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--backend', `bbs.10=${sendSpec},${recvSpec}`];
  args.push('--max-per-address', '100000', '--max-connections', '100000', '--log-level', 'info');
  if (batchRequests) args.push('--batch-requests');
  // --profile: the proxy's CPU profile, from start to stop, goes to that folder.
  const proxy = startM2bbs(args, log, profileDir === undefined ? process.env : profiledEnv(profileDir));
  try {
    const ready = await untilLogged(proxy, log, 'proxy ready');
    const port = Number(/:(\d+)\/$/.exec(String(ready.http))?.[1]);
    if (!(port > 0)) throw new BbsError('BBS_ERR_UNREACHABLE', `the proxy logged no http port: ${JSON.stringify(ready)}`);
    return {
      pid: proxy.pid ?? 0,
      port,
      sendSpec,
      recvSpec,
      handlerUp: async () => void (await untilLogged(proxy, log, 'backend connected')),
      stop: () => stopChild(proxy, 'SIGTERM'),
    };
  } catch (error) {
    await stopChild(proxy, 'SIGTERM');
    throw error;
  }
}

/** Calls until a call gets a prompt: the handler's reply socket may take a moment to be subscribed to (PUB drops until then). */
async function answers(dial: Dial, handler: ChildProcess): Promise<void> {
  const giveUp = performance.now() + 30_000;
  while (performance.now() < giveUp) {
    if (handler.exitCode !== null || handler.signalCode !== null) break;
    if (await promptWithin(dial, 1000)) return;
  }
  throw new BbsError('BBS_ERR_UNREACHABLE', 'the handler never answered a call within 30 s');
}

function promptWithin(dial: Dial, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (prompted: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      wire.hangUp();
      resolve(prompted);
    };
    const timer = setTimeout(() => settle(false), ms);
    const ignore = (): void => undefined;
    const wire = dial({ connected: ignore, replied: ignore, busy: ignore, exit: ignore, error: ignore, prompt: () => settle(true), closed: () => settle(false) });
  });
}

function echoHandler(sendSpec: string, recvSpec: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ECHO_HANDLER, sendSpec, recvSpec], { stdio: ['ignore', 'ignore', 'inherit'] });
  killedWithTheBench(child);
  return child;
}

function bbsHandler(dir: string, sendSpec: string, recvSpec: string, db: string): ChildProcess {
  const args = ['handler', '--name', 'bbs.10', '--send-spec', sendSpec, '--recv-spec', recvSpec, '--db', db, '--journal', 'on'];
  args.push('--max-callers', '0', '--bad-pass-delay-ms', '0', '--log-level', 'info');
  return startM2bbs(args, join(dir, 'handler.log'));
}
