/**
 * Issue 14, "What must show", first item: a scripted call under `m2bbs start --backends 2` whose
 * backend is SIGKILLed at each prompt in turn. The caller's transcript must equal the undisturbed
 * one apart from the one notice and the prompt shown again, the line must never drop, and the
 * database must hold each account, post, mail and one-liner exactly once, and no password in clear.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { HandlerProcess } from './support/handler-process.js';
import { until } from './support/process-tree.js';
import { runScript, transcript, type AtPrompt, type SeenTurn } from './support/scripted-call.js';
import { backendPid, directory } from './support/started-bbs.js';

const PASSWORD = 'Sesame-9931';
const MESSAGE = ['line one', 'line two', 'line three', 'line four'];
const MAIL = ['mail one', 'mail two'];
const ONE_LINER = 'still here';
/** A transcript's line for a prompt waiting for the caller. */
const PROMPT_LINE = /^BBS.*\(waits(, not echoed)?\)$/;

/** The script: sign up, MOTD, a 4-line message, two pages of the board, mail to bob, a one-liner, quit. */
function script(name: string): string[] {
  return [name, PASSWORD, 'y', PASSWORD, '', '1', ...MESSAGE, '.', '2', '', 'Q', '3', 'bob', ...MAIL, '.', 'O', ONE_LINER, 'Q'];
}

/**
 * Every run's caller name is 8 characters (`kill1___`, `signup2_`), so screens that say the name,
 * word-wrapped at 80 columns, break at the same word in every run before the name is normalised.
 */
function runName(label: string): string {
  return label.padEnd(8, '_');
}

// What differs between two undisturbed runs by design: the caller's name, the number dialled,
// how many messages the board holds (each run posts one), and the one-liner wall (each run adds a
// line). The board's first two pages are bob's four messages, the same in every run.
function normalise(name: string): (text: string) => string {
  return (text) =>
    text
      .replace(/(---\(\(\( THE ONE-LINER WALL \)\)\)---\S*\n)[\s\S]*(\n\S*-- the last )\d+( lines --)/, '$1<the lines>$2N$3')
      .replace(new RegExp(`\\b${name}\\b`, 'g'), 'NAME')
      .replace(/^ATDT @bbs\.1[01] /, 'ATDT @bbs.1x ')
      .replace(/Messages on the board: \d+/g, 'Messages on the board: N')
      // The new-message summary after the MOTD counts the earlier runs' posts too.
      .replace(/^New: General \d+$/m, 'New: General N')
      .replace(/on the board as number \d+/, 'on the board as number N');
}

describe('m2bbs start --backends 2: a scripted call whose backend is SIGKILLed at each prompt in turn', () => {
  let bbs: HandlerProcess;
  let port = 0;
  let undisturbed: string[] = [];
  const names: string[] = [];

  beforeAll(async () => {
    // A backend killed two dozen times within seconds would otherwise wait up to 10 s (the
    // supervisor's backoff) before it is started again; --page-size 2 makes two "more" prompts.
    bbs = HandlerProcess.run(
      ['start', '--backends', '2', '--restart-delay-ms', '50', '--max-restart-delay-ms', '50', '--page-size', '2', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', '--screens', '$DIR/screens'],
      {},
      (dir) => {
        cpSync(SHIPPED_SCREENS, join(dir, 'screens'), { recursive: true });
        const menu = join(dir, 'screens', 'main.menu');
        writeFileSync(menu, readFileSync(menu, 'utf8').replace(/^Q\./m, 'O. The one-liner wall.      -> flow oneliners\nQ.'));
      },
    );
    port = Number((await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    // bob first, undisturbed: the mail's recipient, four messages for two stable pages of the
    // board, and a line on the wall so every run sees a wall with lines on it.
    const bob = await runScript(port, ['bob', PASSWORD, 'y', PASSWORD, '', '1', 'b1', '.', '1', 'b2', '.', '1', 'b3', '.', '1', 'b4', '.', 'O', 'bob was here', 'Q']);
    expect(bob.at(-1)).toEqual({ texts: ['Alright, see ya later, bob.'], prompt: undefined });
    const base = runName('base');
    undisturbed = transcript(await runScript(port, script(base)), normalise(base));
    names.push(base);
  });

  afterAll(async () => {
    expect(await bbs.stop()).toBe(0);
  });

  /** Both numbers up and idle, so the number a call lands on and moves to is free. */
  async function bothUp(): Promise<void> {
    await until(async () => ((await directory(port)).every((n) => n.up && n.inUse === 0) ? true : undefined), 'both backends up and idle');
  }

  /** The number serving the one call in progress, and its backend's pid. */
  async function serving(): Promise<{ number: string; pid: number }> {
    const number = await until(async () => (await directory(port)).find((n) => n.inUse > 0)?.number, 'the number serving the call');
    return { number, pid: await backendPid(bbs, number) };
  }

  it('the undisturbed call reads as expected', () => {
    expect(undisturbed.slice(0, 3)).toEqual(['BBS| ATDT @bbs.1x ... CONNECT', expect.stringContaining('Welcome to the M2BBS.'), "BBS| What's your name? (new callers: pick one)"]);
    expect(undisturbed.filter((line) => PROMPT_LINE.test(line))).toHaveLength(script('x').length);
    expect(undisturbed).toContain('BBS| Sent to bob.');
    expect(undisturbed).toContain('BBS| \x1b[36m---((( THE ONE-LINER WALL )))---\x1b[0m\n<the lines>\n\x1b[36m-- the last N lines --\x1b[0m');
    expect(undisturbed.at(-2)).toBe('BBS| Alright, see ya later, NAME.');
    expect(undisturbed.at(-1)).toBe('-- line closed --');
  });

  /**
   * Runs the script as `runName(label)`, SIGKILLing the serving backend at prompt `k`; with
   * `typeAhead` the next that many answers are typed right after the kill, before the move shows
   * the prompt again.
   * A call to `@bbs` moves to the other number, one to a named number waits for it to be back.
   * Returns the transcript and the number the call moved to.
   */
  async function killedRun(label: string, k: number, { typeAhead = 0, route = '@bbs' } = {}): Promise<{ seen: string[]; to: string }> {
    const name = runName(label);
    names.push(name);
    await bothUp();
    let moved: { from: string; turn: SeenTurn } | undefined;
    const atPrompt: AtPrompt = async (at, call) => {
      if (at !== k || moved !== undefined) return undefined;
      const { number, pid } = await serving();
      process.kill(pid, 'SIGKILL');
      // The killed process runs no more code once kill() returns, so a line typed now reaches
      // no backend alive, or the dead one's socket, before the proxy moves the call.
      for (const line of script(name).slice(k, k + typeAhead)) call.client.send(line);
      moved = { from: number, turn: await call.nextTurn() };
      if (moved.turn.prompt === undefined) throw new Error(`the line closed at prompt ${k} instead of moving: ${JSON.stringify(moved.turn.texts)}`);
      if (typeAhead > 1) throw new Error('one line typed ahead at most: the script reads a turn per answer');
      return { typed: typeAhead === 1 };
    };
    const turns = await runScript(port, script(name), atPrompt, route);
    expect(moved).toBeDefined();
    const to = route !== '@bbs' ? route.slice(1) : moved?.from === 'bbs.10' ? 'bbs.11' : 'bbs.10';
    expect(moved?.turn.texts[0]).toBe(`-- line moved to @${to} --`);
    const seen = transcript(turns, normalise(name));
    expect(seen.join('\n')).not.toContain('NO CARRIER');
    expect(seen.at(-1)).toBe('-- line closed --');
    return { seen, to };
  }

  const prompts = script('x').length;
  for (let k = 0; k < prompts; k++) {
    it(`prompt ${k} (answer ${JSON.stringify(script('x')[k])}): the killed call moves and carries on`, async () => {
      const { seen, to } = await killedRun(`kill${k}`, k);
      expect(seen).toEqual(withMove(undisturbed, k, to));
    });
  }

  // A line typed while no backend holds the call is kept by the proxy and answered after the move.
  for (const k of [1, 8, 20]) {
    it(`prompt ${k} (answer ${JSON.stringify(script('x')[k])}) typed while the backend is dead: the line is not lost`, async () => {
      const { seen, to } = await killedRun(`ahead${k}`, k, { typeAhead: 1 });
      expect(seen).toEqual(withMove(undisturbed, k, to));
    });
  }

  // A new caller's password is hashed the moment it is typed (only its hash is journaled), so a
  // move between a sign-up's two password prompts asks nothing again, and what was typed ahead
  // there is answered in turn, where it was typed. A named call waits for its number to be back,
  // so the line is surely typed while it waits to move.
  for (const k of [2, 3]) {
    it(`prompt ${k} of a sign-up (answer ${JSON.stringify(script('x')[k])}) typed while its line moves: nothing asked again, nothing lost`, async () => {
      const { seen, to } = await killedRun(`signup${k}`, k, { typeAhead: 1, route: '@bbs.10' });
      expect(seen).toEqual(withMove(undisturbed, k, to));
    });
  }

  it('no process logged an error through all the kills and moves', () => {
    expect(bbs.records.length).toBeGreaterThan(0);
    expect(bbs.records.filter((record) => record['level'] === 'error')).toEqual([]);
  });

  it('the database holds each account, post, mail and one-liner exactly once per run', () => {
    const db = new Database(join(bbs.dir, 'bbs.db'), { readonly: true, fileMustExist: true });
    try {
      const count = (sql: string, ...args: unknown[]): number => (db.prepare(sql).pluck().get(...args) as number);
      for (const name of names) {
        expect([name, count('SELECT count(*) FROM callers WHERE name = ?', name)]).toEqual([name, 1]);
        expect([name, count('SELECT count(*) FROM messages m JOIN callers c ON c.id = m.author_id WHERE c.name = ? AND m.body = ?', name, MESSAGE.join('\n'))]).toEqual([name, 1]);
        expect([name, count("SELECT count(*) FROM mail m JOIN callers f ON f.id = m.from_id JOIN callers t ON t.id = m.to_id WHERE f.name = ? AND t.name = 'bob' AND m.body = ?", name, MAIL.join('\n'))]).toEqual([name, 1]);
        expect([name, count('SELECT count(*) FROM wall_lines w JOIN callers c ON c.id = w.author_id WHERE c.name = ? AND w.body = ?', name, ONE_LINER)]).toEqual([name, 1]);
      }
      // Nothing more than that: bob's own, and one of each per run.
      expect(count('SELECT count(*) FROM callers')).toBe(names.length + 1);
      expect(count('SELECT count(*) FROM messages')).toBe(names.length + 4);
      expect(count('SELECT count(*) FROM mail')).toBe(names.length);
      expect(count('SELECT count(*) FROM wall_lines')).toBe(names.length + 1);
    } finally {
      db.close();
    }
    // No password in clear in the file or its -wal, whatever was typed ahead of a move; the
    // search can find what was typed at other prompts.
    const file = join(bbs.dir, 'bbs.db');
    const bytes = Buffer.concat([readFileSync(file), existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0)]);
    expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(bytes.includes(Buffer.from(ONE_LINER))).toBe(true);
  });
});

/** The undisturbed transcript with the notice and prompt `k` shown again right after prompt `k`. */
function withMove(undisturbed: readonly string[], k: number, to: string): string[] {
  const prompts = undisturbed.flatMap((line, i) => (PROMPT_LINE.test(line) ? [i] : []));
  const at = prompts[k] ?? -1;
  // A prompt's own text is the last text line before its (waits) line; a screen shown before it
  // in the same turn is not shown again.
  const shownAgain = (prompts[k] ?? 0) - 1;
  return [...undisturbed.slice(0, at + 1), `BBS| -- line moved to @${to} --`, ...undisturbed.slice(shownAgain)];
}
