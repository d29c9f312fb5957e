/**
 * Changing a password survives the backend dying at each of its prompts: under `m2bbs start
 * --backends 2`, the serving backend is SIGKILLed at the old password, the new one and its
 * repeat (from the main menu), and at the new password and its repeat after a one-time password
 * (`m2bbs sysop reset-password`). The caller's transcript must equal the undisturbed one apart
 * from the move's notice and the prompt shown again, the new password must work, and no password
 * may be in the database file in clear.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { until } from './support/process-tree.js';
import { m2bbs } from './support/running-bbs.js';
import { runScript, transcript, type AtPrompt, type SeenTurn } from './support/scripted-call.js';
import { backendPid, directory } from './support/started-bbs.js';

const OLD = 'Old-pass-4471';
const NEW = 'New-pass-8812';
const PROMPT_LINE = /^BBS.*\(waits(, not echoed)?\)$/;

// Sign up, then from the main menu: Y, the old password, the new one twice, quit.
const signUp = (name: string): string[] => [name, OLD, 'y', OLD, ''];
const changeFromMenu = (name: string): string[] => [...signUp(name), 'Y', OLD, NEW, NEW, 'Q'];
// A login with a one-time password: the new one twice, the MOTD, quit.
const oneTimeLogin = (name: string, otp: string): string[] => [name, otp, NEW, NEW, '', 'Q'];

// Names of one length, so wrapped screens break alike; what differs between runs by design.
const runName = (label: string): string => label.padEnd(8, '_');
function normalise(name: string): (text: string) => string {
  return (text) =>
    text
      .replace(new RegExp(`\\b${name}\\b`, 'g'), 'NAME')
      .replace(/^ATDT @bbs\.1[01] /, 'ATDT @bbs.1x ')
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, 'DATE')
      .replace(/^\d+ callers? online: .*$/m, 'N callers online');
}

/** The undisturbed transcript with the notice and prompt `k` shown again right after prompt `k`. */
function withMove(undisturbed: readonly string[], k: number, to: string): string[] {
  const prompts = undisturbed.flatMap((line, i) => (PROMPT_LINE.test(line) ? [i] : []));
  const at = prompts[k] ?? -1;
  return [...undisturbed.slice(0, at + 1), `BBS| -- line moved to @${to} --`, ...undisturbed.slice((prompts[k] ?? 0) - 1)];
}

/** The text of prompt `k` (the last text before its waits line). */
function promptText(lines: readonly string[], k: number): string {
  const prompts = lines.flatMap((line, i) => (PROMPT_LINE.test(line) ? [i] : []));
  return lines[(prompts[k] ?? 0) - 1] ?? '';
}

describe('a password changed while the backend dies at each of its prompts', () => {
  let bbs: HandlerProcess;
  let port = 0;
  let db = '';

  beforeAll(async () => {
    bbs = HandlerProcess.run(['start', '--backends', '2', '--restart-delay-ms', '50', '--max-restart-delay-ms', '50', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    port = Number((await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    db = join(bbs.dir, 'bbs.db');
  }, 60_000);
  afterAll(async () => {
    expect(await bbs.stop()).toBe(0);
  });

  // Runs `answers` as the caller `name`, SIGKILLing the serving backend at prompt `k` (none: -1).
  async function run(name: string, answers: readonly string[], k: number): Promise<{ seen: string[]; to: string }> {
    await until(async () => ((await directory(port)).every((n) => n.up && n.inUse === 0) ? true : undefined), 'both backends up and idle');
    let moved: { from: string; turn: SeenTurn } | undefined;
    const atPrompt: AtPrompt = async (at, call) => {
      if (at !== k || moved !== undefined) return undefined;
      const number = await until(async () => (await directory(port)).find((n) => n.inUse > 0)?.number, 'the number serving the call');
      process.kill(await backendPid(bbs, number), 'SIGKILL');
      moved = { from: number, turn: await call.nextTurn() };
      if (moved.turn.prompt === undefined) throw new Error(`the line closed at prompt ${k} instead of moving: ${JSON.stringify(moved.turn.texts)}`);
      return undefined;
    };
    const seen = transcript(await runScript(port, answers, atPrompt), normalise(name));
    if (k >= 0) expect(moved?.turn.texts[0]).toMatch(/^-- line moved to @bbs\.1[01] --$/);
    expect(seen.at(-1)).toBe('-- line closed --');
    return { seen, to: moved?.from === 'bbs.10' ? 'bbs.11' : 'bbs.10' };
  }

  async function resetPassword(name: string): Promise<string> {
    const reset = await m2bbs(['sysop', '--db', db, '--json', 'reset-password', name]);
    expect(reset.code).toBe(0);
    return (JSON.parse(reset.stdout) as { password: string }).password;
  }

  // The new password gets in (to the MOTD), whatever happened while it was chosen.
  async function newPasswordWorks(name: string): Promise<void> {
    const turns = await runScript(port, [name, NEW, '', 'Q']);
    expect(turns.at(-1)?.texts.join('\n')).toContain(`see ya later, ${name}`);
  }

  it('from the main menu: killed at the old password, the new one and its repeat, the call carries on as if nothing happened', { timeout: 120_000 }, async () => {
    const base = runName('menu');
    const undisturbed = (await run(base, changeFromMenu(base), -1)).seen;
    expect(undisturbed.join('\n')).toContain('Your password is changed');
    await newPasswordWorks(base);
    expect([6, 7, 8].map((k) => promptText(undisturbed, k))).toEqual(['BBS| Your password now (to be sure it is you)?', 'BBS| Your new password?', 'BBS| Type the same password again, to be sure.']);
    for (const k of [6, 7, 8]) {
      const name = runName(`menu${k}`);
      const { seen, to } = await run(name, changeFromMenu(name), k);
      expect(seen).toEqual(withMove(undisturbed, k, to));
      await newPasswordWorks(name);
    }
  });

  it('after a one-time password: killed at the new password and its repeat, the call carries on, and the new one works', { timeout: 120_000 }, async () => {
    const base = runName('otp');
    await runScript(port, [...signUp(base), 'Q']);
    const undisturbed = (await run(base, oneTimeLogin(base, await resetPassword(base)), -1)).seen;
    expect(undisturbed.join('\n')).toContain('choose your own password now');
    await newPasswordWorks(base);
    expect([2, 3].map((k) => promptText(undisturbed, k))).toEqual(['BBS| Your new password?', 'BBS| Type the same password again, to be sure.']);
    for (const k of [2, 3]) {
      const name = runName(`otp${k}`);
      await runScript(port, [...signUp(name), 'Q']);
      const otp = await resetPassword(name);
      const { seen, to } = await run(name, oneTimeLogin(name, otp), k);
      // The one-time password is not in the transcript (not echoed), so runs compare whole.
      expect(seen).toEqual(withMove(undisturbed, k, to));
      await newPasswordWorks(name);
    }
  });

  it('no process logged an error, and no password is in the database file in clear', () => {
    expect(bbs.records.filter((record) => record['level'] === 'error')).toEqual([]);
    const bytes = Buffer.concat([readFileSync(db), existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`) : Buffer.alloc(0)]);
    expect(bytes.includes(Buffer.from(OLD))).toBe(false);
    expect(bytes.includes(Buffer.from(NEW))).toBe(false);
  });
});
