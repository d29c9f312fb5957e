/**
 * `m2bbs bench`: suspends N conversations at the main menu in one in-process backend (real
 * engine, flows, screens and SQLite) and reports the heap each suspended conversation costs.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ConfigProblems } from '../common/config-problems.js';
import { BbsError } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { encodeRequest, parseRequest } from '../common/mongrel2-wire.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { createEngine } from '../handler/engine.js';
import { bbs } from '../handler/flows/bbs.js';
import { DEFAULT_LIMITS } from '../handler/limits.js';
import { loadScreens } from '../handler/screens.js';
import { createServices } from '../handler/services.js';

export const BENCH_USAGE = `Usage: m2bbs bench [--sessions N]

Suspends N conversations (default 100000) at the main menu of one in-process backend and prints
the heap bytes per suspended conversation. Run as "npm run bench" (it needs node --expose-gc).`;

const UUID = 'bench-0000-0000-0000-000000000000';

/** Runs the suspended-sessions benchmark and prints its report. */
export async function runBench(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { sessions: { type: 'string' } }, strict: true });
  const problems = new ConfigProblems();
  const sessions = problems.integer('sessions', values.sessions, 100_000, 1, 5_000_000);
  problems.check('m2bbs bench');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    // Heap figures need a full collection before each reading: run again with --expose-gc.
    const again = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, process.argv[1] ?? '', 'bench', ...argv], { stdio: 'inherit' });
    if (again.status !== 0) throw new BbsError('BBS_ERR_USAGE', `bench failed (exit ${again.status})`);
    return;
  }
  const report = await measure(sessions, gc);
  console.log(`suspended conversations at the main menu: ${report.sessions}`);
  console.log(`time to bring them there:                 ${report.seconds.toFixed(1)} s`);
  console.log(`heap per suspended conversation:          ${report.heapBytesPerSession} bytes`);
  console.log(`resident memory per conversation:         ${report.rssBytesPerSession} bytes`);
  console.log(JSON.stringify(report));
}

interface Report {
  readonly sessions: number;
  readonly seconds: number;
  readonly heapBytesPerSession: number;
  readonly rssBytesPerSession: number;
  readonly node: string;
}

async function measure(count: number, gc: () => void): Promise<Report> {
  const log = createLogger('silent');
  const store = createStore(openDatabase(':memory:'));
  const services = createServices({ store, log, scryptCost: { N: 16, r: 1, p: 1 } });
  await services.register('bench', 'bench-password');
  const screens = loadScreens(SHIPPED_SCREENS);
  let atMenu = 0;
  let allAtMenu!: () => void;
  const done = new Promise<void>((resolve) => (allAtMenu = resolve));
  const menuMarker = Buffer.from('MAIN MENU');
  const engine = createEngine({
    startFlow: () => bbs(DEFAULT_LIMITS),
    flowName: 'bbs',
    services,
    screens: () => screens,
    outbox: {
      reply: (_uuid, _connId, body) => {
        if (body.includes(menuMarker) && ++atMenu === count) allAtMenu();
      },
      close: () => {},
    },
    log,
  });
  const say = (connId: string, msg: string): void =>
    engine.receive(parseRequest(encodeRequest({ uuid: UUID, connId, path: '@bbs', headers: { METHOD: 'JSON' }, body: JSON.stringify({ type: 'msg', msg }) })));

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  for (let i = 1; i <= count; i++) {
    const connId = String(i);
    // The answer to the MOTD is typed ahead; the engine holds it until the password is checked.
    for (const line of ['connect', 'bench', 'bench-password', '']) say(connId, line);
    if (i % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  if (engine.liveSessions !== count) throw new Error(`expected ${count} live sessions, found ${engine.liveSessions}`);
  store.close();
  return {
    sessions: count,
    seconds,
    heapBytesPerSession: Math.round((heapUsed - heapBefore) / count),
    rssBytesPerSession: Math.round((rss - rssBefore) / count),
    node: process.version,
  };
}
