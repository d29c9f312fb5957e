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
import { holdIdle } from './idle-hold.js';
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
  /** The handler processes behind it, one per number. */
  readonly handlerPids: readonly number[];
  readonly port: number;
  /** What caller `i` dials: the numbers in turn (`@bbs.10`, `@bbs.11`...), on Mongrel2 each its own route, on the proxy each named (no dialling). */
  dialFor(i: number): Dial;
  stop(): Promise<void>;
}

/** The numbers of `count` backends: bbs.10, bbs.11... */
function numbers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bbs.${10 + i}`);
}

/**
 * Starts `server` with a `handler` behind it: the echo handler on one number, or `backends` m2bbs
 * backends on one database, each its own number (on Mongrel2, a route and send_spec of its own, as
 * BENCHMARKS.md advises: handlers sharing one send_spec take each other's calls over); `names` are
 * seeded as accounts for m2bbs backends.
 */
export async function startSide(server: ServerName, handler: HandlerKind, names: readonly string[], options: { readonly backends?: number; readonly profileDir?: string } = {}): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), `m2bbs-bench-vs-${server}-`));
  const stops: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const db = join(dir, 'bbs.db');
    if (handler === 'bbs') await seedAccounts(db, names);
    const numbered = numbers(handler === 'echo' ? 1 : (options.backends ?? 1));
    const front = server === 'mongrel2' ? await mongrel2Front(dir, numbered) : await proxyFront(dir, numbered, handler === 'bbs', options.profileDir);
    stops.push(front.stop);
    const handlers = front.links.map((link, i) => (handler === 'echo' ? echoHandler(link.sendSpec, link.recvSpec) : bbsHandler(dir, link, db, i)));
    for (const h of handlers) stops.push(() => stopChild(h, handler === 'echo' ? 'SIGTERM' : 'SIGINT'));
    await front.handlersUp(handlers.length);
    const dials = front.links.map((link) => jsonSocketDial('127.0.0.1', front.port, link.route));
    for (const [i, dial] of dials.entries()) await answers(dial, handlers[i] as ChildProcess);
    return { server, serverPid: front.pid, handlerPids: handlers.map((h) => h.pid ?? 0), port: front.port, dialFor: (i) => dials[i % dials.length] as Dial, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A number's route as callers dial it, and its handler endpoints. */
interface FrontLink {
  readonly number: string;
  readonly route: string;
  readonly sendSpec: string;
  readonly recvSpec: string;
}

interface Front {
  readonly pid: number;
  readonly port: number;
  readonly links: readonly FrontLink[];
  /** Resolves once the server sees `count` handlers connected (the proxy says so; Mongrel2 is asked by a call). */
  handlersUp(count: number): Promise<void>;
  stop(): Promise<void>;
}

async function mongrel2Front(dir: string, numbered: readonly string[]): Promise<Front> {
  const folder = join(dir, 'mongrel2');
  mkdirSync(folder);
  // One number is Mongrel2's usual `@bbs`; several are each a route of their own.
  const m2: Mongrel2Server = await startMongrel2(folder, numbered.length === 1 ? ['@bbs'] : numbered.map((n) => `@${n}`));
  const links = m2.routes.map((r, i) => ({ number: numbered[i] as string, ...r }));
  return { pid: m2.pid, port: m2.port, links, handlersUp: () => Promise.resolve(), stop: () => m2.stop() };
}

async function proxyFront(dir: string, numbered: readonly string[], batchRequests: boolean, profileDir: string | undefined): Promise<Front> {
  const ports = await freePorts(2 * numbered.length);
  const links = numbered.map((number, i) => ({ number, route: `@${number}`, sendSpec: `tcp://127.0.0.1:${ports[2 * i]}`, recvSpec: `tcp://127.0.0.1:${ports[2 * i + 1]}` }));
  const log = join(dir, 'proxy.log');
  const args = ['proxy', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', ...links.flatMap((l) => ['--backend', `${l.number}=${l.sendSpec},${l.recvSpec}`])];
  // Every bench caller comes from 127.0.0.1: the per-address and total caps are raised past them.
  args.push('--max-per-address', '100000', '--max-connections', '100000', '--connections-per-minute', '0', '--log-level', 'info');
  if (batchRequests) args.push('--batch-requests');
  // --profile: the proxy's CPU profile, from start to stop, goes to that folder.
  const proxy = startM2bbs(args, log, profileDir === undefined ? process.env : profiledEnv(profileDir));
  try {
    const ready = await untilLogged(proxy, log, 'proxy ready');
    const port = Number(/:(\d+)\/$/.exec(String(ready.http))?.[1]);
    if (!(port > 0)) throw new BbsError('BBS_ERR_UNREACHABLE', `the proxy logged no http port: ${JSON.stringify(ready)}`);
    const handlersUp = async (count: number): Promise<void> => void (await untilLogged(proxy, log, 'backend connected', 30_000, count));
    return { pid: proxy.pid ?? 0, port, links, handlersUp, stop: () => stopChild(proxy, 'SIGTERM') };
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
    const call = await holdIdle(dial, 1, 1000);
    await call.release();
    if (call.answered === 1) return;
  }
  throw new BbsError('BBS_ERR_UNREACHABLE', 'the handler never answered a call within 30 s');
}


function echoHandler(sendSpec: string, recvSpec: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ECHO_HANDLER, sendSpec, recvSpec], { stdio: ['ignore', 'ignore', 'inherit'] });
  killedWithTheBench(child);
  return child;
}

function bbsHandler(dir: string, link: FrontLink, db: string, index: number): ChildProcess {
  const args = ['handler', '--name', link.number, '--send-spec', link.sendSpec, '--recv-spec', link.recvSpec, '--db', db, '--journal', 'on'];
  args.push('--max-callers', '0', '--bad-pass-delay-ms', '0', '--log-level', 'info');
  return startM2bbs(args, join(dir, `handler-${index}.log`));
}
