/**
 * `m2bbs bench --scenario suspended`: suspends N conversations at the main menu in one in-process
 * backend (real engine, flows, screens and SQLite) and measures the heap each one costs. They are
 * durable ones (a conversation id from the proxy's SESSION header, journaled) unless the journal
 * is off, as behind `m2bbs handler --journal off`.
 */
import { BbsError } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { encodeRequest, parseRequest } from '../common/mongrel2-wire.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { createEngine } from '../handler/engine.js';
import { Journal } from '../handler/journal.js';
import { bbs } from '../handler/flows/bbs.js';
import { DEFAULT_LIMITS } from '../handler/limits.js';
import { loadScreens } from '../handler/screens.js';
import { createServices } from '../handler/services.js';

const UUID = 'bench-0000-0000-0000-000000000000';

/** What the suspended-conversation measurement found. */
export interface SuspendedReport {
  readonly sessions: number;
  readonly seconds: number;
  readonly heapBytesPerSession: number;
  readonly rssBytesPerSession: number;
  /** Journaled conversations (durable), or not. */
  readonly journal: 'on' | 'off';
  readonly node: string;
}

/** Prints a suspended-conversation report as the bench always has. */
export function printSuspended(report: SuspendedReport): void {
  console.log(`suspended conversations at the main menu: ${report.sessions} (journal ${report.journal})`);
  console.log(`time to bring them there:                 ${report.seconds.toFixed(1)} s`);
  console.log(`heap per suspended conversation:          ${report.heapBytesPerSession} bytes`);
  console.log(`resident memory per conversation:         ${report.rssBytesPerSession} bytes`);
}

/** Suspends `count` conversations at the main menu and measures them; needs node --expose-gc. */
export async function measureSuspended(count: number, journaled: 'on' | 'off' = 'on'): Promise<SuspendedReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new BbsError('BBS_ERR_USAGE', 'the suspended-conversation measurement needs node --expose-gc (npm run bench has it)');
  return measure(count, journaled, gc);
}

async function measure(count: number, journaled: 'on' | 'off', gc: () => void): Promise<SuspendedReport> {
  const log = createLogger('silent');
  const store = createStore(openDatabase(':memory:'));
  const services = createServices({ store, log, scryptCost: { N: 16, r: 1, p: 1 } });
  await services.register('bench', 'bench-password');
  const screens = loadScreens(SHIPPED_SCREENS);
  let atMenu = 0;
  let allAtMenu!: () => void;
  const done = new Promise<void>((resolve) => (allAtMenu = resolve));
  const menuMarker = 'MAIN MENU';
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
    journal: journaled === 'on' ? new Journal({ store: store.journal, owner: 'bench', log, now: Date.now }) : undefined,
  });
  // As the proxy names a call: SESSION (32 hex digits) and SEQ, each line its own input.
  const say = (connId: string, msg: string, seq: number): void =>
    engine.receive(
      parseRequest(
        encodeRequest({
          uuid: UUID,
          connId,
          path: '@bbs',
          headers: journaled === 'on' ? { METHOD: 'JSON', SESSION: Number(connId).toString(16).padStart(32, '0'), SEQ: String(seq) } : { METHOD: 'JSON' },
          body: JSON.stringify({ type: 'msg', msg }),
        }),
      ),
    );

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  for (let i = 1; i <= count; i++) {
    const connId = String(i);
    // The answer to the MOTD is typed ahead; the engine holds it until the password is checked.
    ['connect', 'bench', 'bench-password', ''].forEach((line, n) => say(connId, line, n + 1));
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
    journal: journaled,
    node: process.version,
  };
}
