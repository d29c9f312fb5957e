/**
 * `m2bbs bench --scenario replay`: what rebuilding a conversation from its journal costs, in one
 * in-process backend (real engine, flows, screens, journal in an in-memory SQLite). One engine
 * builds conversations, a second takes each over as after a SIGKILL (`RESUME: 1`, as the proxy
 * sends); the takeover (claim, rows read, flow replayed, prompt shown) is timed. Conversations
 * at the main menu give the fixed cost of a takeover and the rows a session keeps there;
 * conversations deep in a message of many lines give the cost of each further row. Then what
 * writing the journal costs: one commit to a database file (journal-commit-cost.ts).
 */
import type Database from 'better-sqlite3';
import { PROMPT_HEAD } from '../common/bbs-messages.js';
import { createLogger } from '../common/log.js';
import { encodeRequest, parseRequest } from '../common/mongrel2-wire.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { createEngine, type Engine } from '../handler/engine.js';
import { bbs } from '../handler/flows/bbs.js';
import { Journal } from '../handler/journal.js';
import { measureCommits, type CommitCost } from './journal-commit-cost.js';
import { DEFAULT_LIMITS } from '../handler/limits.js';
import { loadScreens } from '../handler/screens.js';
import { createServices } from '../handler/services.js';

const UUID = 'bench-0000-0000-0000-000000000000';

/** What the replay measurement found. */
export interface ReplayReport {
  readonly conversations: number;
  /** Journal rows from the replay's start (the last checkpoint) of a conversation at the main menu. */
  readonly rowsAtMenu: number;
  /** Every row such a conversation keeps (those before the checkpoint stay until it ends). */
  readonly rowsKeptAtMenu: number;
  /** The same, for one in a message of --replay-rows lines. */
  readonly rowsDeep: number;
  /** One takeover of a conversation at the main menu (claim, rows, replay, prompt), in µs. */
  readonly takeoverAtMenuMicros: number;
  /** One takeover of a conversation `rowsDeep` rows long, in µs. */
  readonly takeoverDeepMicros: number;
  /** What each further row costs a takeover, in µs. */
  readonly microsPerRow: number;
  /** What writing the journal costs: one commit (of a line; of a line and a page of the board) to a database file. */
  readonly commit: ReturnType<typeof measureCommits>;
  readonly node: string;
}

/** Prints a replay report. */
export function printReplay(r: ReplayReport): void {
  console.log(`conversations taken over, each kind:     ${r.conversations}`);
  console.log(`journal rows replayed at the main menu:  ${r.rowsAtMenu} (from the last checkpoint; ${r.rowsKeptAtMenu} kept in all)`);
  console.log(`takeover at the main menu:               ${r.takeoverAtMenuMicros.toFixed(0)} µs each`);
  console.log(`takeover ${String(r.rowsDeep).padStart(5)} rows deep in a message:  ${r.takeoverDeepMicros.toFixed(0)} µs each`);
  console.log(`replay cost per journal row:             ${r.microsPerRow.toFixed(2)} µs`);
  const cost = (c: CommitCost): string => `${c.cpuMicros.toFixed(1)} µs of CPU (user ${c.userMicros.toFixed(1)}, system ${c.systemMicros.toFixed(1)}; ${c.commits} commits)`;
  console.log(`journal commit, a line:                  ${cost(r.commit.line)}`);
  console.log(`journal commit, a line and a board page: ${cost(r.commit.linePlusPage)}`);
}

/** Builds and takes over `count` conversations at the menu and `count` with `lines` lines typed in a message. */
export async function measureReplay(count: number, lines: number): Promise<ReplayReport> {
  const db = openDatabase(':memory:');
  const store = createStore(db);
  try {
    const menu = await takeovers(db, store, count, 0, 0);
    const deep = await takeovers(db, store, count, lines, count);
    return {
      conversations: count,
      rowsAtMenu: menu.rows,
      rowsKeptAtMenu: menu.kept,
      rowsDeep: deep.rows,
      takeoverAtMenuMicros: menu.micros,
      takeoverDeepMicros: deep.micros,
      microsPerRow: (deep.micros - menu.micros) / Math.max(1, deep.rows - menu.rows),
      commit: measureCommits(Math.max(20, Math.ceil(count / 5))),
      node: process.version,
    };
  } finally {
    store.close();
  }
}

async function takeovers(db: Database.Database, store: Store, count: number, lines: number, first: number): Promise<{ rows: number; kept: number; micros: number }> {
  const log = createLogger('silent');
  const services = createServices({ store, log, scryptCost: { N: 16, r: 1, p: 1 } });
  if (store.findCaller('bench') === undefined) await services.register('bench', 'bench-password');
  const screens = loadScreens(SHIPPED_SCREENS);
  const limits = { ...DEFAULT_LIMITS, maxLines: lines + 5 };
  const prompts = new Map<string, number>();
  const engine = (owner: string): Engine =>
    createEngine({
      startFlow: (start) => bbs(limits, start),
      flowName: 'bbs',
      services,
      screens: () => screens,
      outbox: { reply: (_uuid, connId, body) => void (body.startsWith(PROMPT_HEAD) && prompts.set(connId, (prompts.get(connId) ?? 0) + 1)), close: () => {} },
      log,
      maxQueuedLines: lines + 64,
      journal: new Journal({ store: store.journal, owner, log, now: Date.now }),
    });
  const say = (target: Engine, connId: number, session: string, seq: number, body: string, resume = false): void =>
    target.receive(parseRequest(encodeRequest({ uuid: UUID, connId: String(connId), path: '@bbs', headers: { METHOD: 'JSON', SESSION: session, SEQ: String(seq), ...(resume ? { RESUME: '1' } : {}) }, body })));
  const sessionOf = (i: number): string => (first + i).toString(16).padStart(32, '0');

  // Logged in, at the main menu; then (lines > 0) in a message with `lines` lines typed.
  const builder = engine('bench builder');
  const script = ['connect', 'bench', 'bench-password', '', ...(lines > 0 ? ['1', ...Array.from({ length: lines }, (_, n) => `line ${n + 1} of a long message`)] : [])];
  for (let i = 0; i < count; i++) script.forEach((line, n) => say(builder, i + 1, sessionOf(i), n + 1, JSON.stringify({ type: 'msg', msg: line })));
  // Each line is answered with a prompt, the first (`connect`) too, once logging in is done.
  const built = (): boolean => [...Array(count).keys()].every((i) => (prompts.get(String(i + 1)) ?? 0) >= script.length);
  for (let waited = 0; !built(); waited++) {
    if (waited > 60_000) throw new Error(`conversations not built: ${prompts.size} of ${count} answered`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
  const kept = db.prepare<[string], number>('SELECT count(*) FROM journal WHERE conversation = ?').pluck().get(sessionOf(0)) ?? 0;
  const rows = db.prepare<[string], number>('SELECT count(*) FROM journal j JOIN conversations c ON c.id = j.conversation WHERE c.id = ? AND j.n >= c.start_n').pluck().get(sessionOf(0)) ?? 0;

  // The builder's backend is gone: another takes each call over, from the last checkpoint.
  const taker = engine('bench taker');
  const started = performance.now();
  for (let i = 0; i < count; i++) say(taker, count + i + 1, sessionOf(i), script.length, '{"type":"ping"}', true);
  // The prompts wait for the end of the turn's commit: made now, and counted in.
  taker.flushCommits();
  const micros = ((performance.now() - started) * 1000) / count;
  const shown = [...Array(count).keys()].filter((i) => (prompts.get(String(count + i + 1)) ?? 0) > 0).length;
  if (shown !== count) throw new Error(`expected ${count} prompts shown again after the takeover, got ${shown}`);
  return { rows, kept, micros };
}
