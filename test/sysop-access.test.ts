/**
 * `m2bbs sysop ban`, `unban` and `reset-password` against a whole `m2bbs start`, run as a sysop
 * runs them (child processes on the BBS's database), and a caller changing their own password
 * from the main menu: what callers see, what the commands say, their exit codes and the audit.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { m2bbs } from './support/running-bbs.js';
import { useSysopBbs } from './support/sysop-bbs.js';

const { running: bbs, callers, sysop } = useSysopBbs();
const BANNED = 'This BBS does not take your calls:';

/** A new call on `@number`, at the name prompt. */
async function dial(number = 'bbs.10'): Promise<JsonSocketClient> {
  const caller = await JsonSocketClient.open(bbs().http, `@${number}`);
  callers.push(caller);
  return caller;
}

/** A caller signed up as `name` with `password`, at the main menu. */
async function signedUp(name: string, password: string, number = 'bbs.10'): Promise<JsonSocketClient> {
  const caller = await dial(number);
  await caller.exchange('connect');
  for (const line of [name, password, 'y', password]) await caller.exchange(line);
  expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
  return caller;
}

/** Logs in as `name` with `password`: the text up to the prompt that follows (undefined prompt: the line closed). */
async function logIn(name: string, password: string): Promise<{ caller: JsonSocketClient; text: string; prompt: string | undefined }> {
  const caller = await dial('bbs.11');
  await caller.exchange('connect');
  await caller.exchange(name);
  const turn = await caller.exchange(password);
  return { caller, text: turn.texts.join('\n'), prompt: turn.prompt?.msg };
}

/** Everything the caller was sent, in one text. */
const heard = (caller: JsonSocketClient): string => caller.heard.map((reply) => reply.msg).join('\n');

function audit(): { action: string; target: string; detail: string | null }[] {
  const db = new Database(bbs().db, { readonly: true });
  try {
    return db.prepare('SELECT action, target, detail FROM sysop_actions ORDER BY id').all() as { action: string; target: string; detail: string | null }[];
  } finally {
    db.close();
  }
}

/** Every journal row's text, for a check that no password is in it. */
function journalText(): string {
  const db = new Database(bbs().db, { readonly: true });
  try {
    const rows = db.prepare("SELECT print, coalesce(value, '') AS value FROM journal").all() as { print: string; value: string }[];
    const shared = db.prepare('SELECT value FROM journal_shared').pluck().all() as string[];
    return [...rows.map((row) => `${row.print} ${row.value}`), ...shared].join('\n');
  } finally {
    db.close();
  }
}

describe('m2bbs sysop ban', () => {
  it('hangs up a banned caller who is on with the reason; they cannot log in again, nor sign up under that name; unban lets them in', { timeout: 60_000 }, async () => {
    const caller = await signedUp('mallory', 'secret12', 'bbs.11');
    const run = await sysop('ban', 'MALLORY', '--reason', 'flooding the board');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Banned mallory; reason: flooding the board\nmallory was on: shown the reason and hung up.\n');
    await caller.hears((reply) => reply.msg.includes(`${BANNED} flooding the board`));
    await caller.closedByServer();
    expect(audit().at(-1)).toEqual({ action: 'ban', target: 'mallory', detail: 'flooding the board' });
    // The running BBS logs it too, naming who banned.
    await bbs().bbs.waitForLog((r) => r.msg === 'sysop action' && r.action === 'ban' && r.target === 'mallory' && typeof r.sysop === 'string' && r.sysop !== '');

    // The right password: refused at the name, with the reason, before any password is asked.
    const again = await dial();
    await again.exchange('connect');
    expect((await again.exchange('Mallory')).prompt).toBeUndefined();
    await again.closedByServer();
    expect(heard(again)).toContain(`${BANNED} flooding the board`);
    expect(heard(again)).not.toContain('password');

    const unban = await sysop('unban', 'mallory');
    expect(unban).toMatchObject({ code: 0, stdout: 'Ban lifted: mallory\n' });
    expect(audit().at(-1)).toEqual({ action: 'unban', target: 'mallory', detail: null });
    const back = await logIn('mallory', 'secret12');
    expect(back.prompt).toContain('Do you want to continue?');
    expect((await sysop('unban', 'mallory')).code).toBe(3);
  });

  it('bans a name nobody has (said so): nobody can sign up with it', { timeout: 60_000 }, async () => {
    const run = await sysop('ban', 'spammer', '--reason', 'name taken by the sysop');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nobody has the name spammer: nobody can sign up with it now.');
    const caller = await dial();
    await caller.exchange('connect');
    expect((await caller.exchange('SPAMMER')).prompt).toBeUndefined();
    await caller.closedByServer();
    expect(heard(caller)).toContain(`${BANNED} name taken by the sysop`);
    expect(heard(caller)).not.toContain('Sign up');
  });

  it('hangs up a caller on from a banned address, refuses a new call from it at once, and takes it again once unbanned', { timeout: 60_000 }, async () => {
    const on = await signedUp('addie', 'secret12', 'bbs.10');
    // Calls of earlier tests may still be listed while their backend sees them gone: only addie's.
    await until(async () => {
      const rows = JSON.parse((await sysop('who', '--json')).stdout) as { name: string | null }[];
      return rows.length === 1 && rows[0]?.name === 'addie' ? true : undefined;
    }, "addie's call alone on");
    const run = await sysop('ban', '--address', '127.0.0.1', '--reason', 'too many bots from here');
    expect(run).toMatchObject({ code: 0, stdout: 'Banned address 127.0.0.1; reason: too many bots from here\n1 call from it was on: shown the reason and hung up.\n' });
    await on.hears((reply) => reply.msg.includes(`${BANNED} too many bots from here`));
    await on.closedByServer();
    try {
      const caller = await dial('bbs.11');
      expect((await caller.exchange('connect')).prompt).toBeUndefined();
      await caller.closedByServer();
      expect(heard(caller)).toContain(`${BANNED} too many bots from here`);
      expect(heard(caller)).not.toContain("What's your name?");
    } finally {
      const unban = await sysop('unban', '--address', '127.0.0.1');
      expect(unban).toMatchObject({ code: 0, stdout: 'Ban lifted: address 127.0.0.1\n' });
    }
    const caller = await dial('bbs.11');
    expect((await caller.exchange('connect')).prompt?.msg).toContain("What's your name?");
    expect(audit().slice(-2)).toEqual([
      { action: 'ban-address', target: '127.0.0.1', detail: 'too many bots from here' },
      { action: 'unban-address', target: '127.0.0.1', detail: null },
    ]);
  });

  it('says what is wrong with a bad address (exit 2) and an unban of what is not banned (exit 3)', async () => {
    const bad = await sysop('ban', '--address', '300.1.2.3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected an IPv4 or IPv6 address, got "300.1.2.3"');
    const none = await sysop('unban', '--address', '192.0.2.7');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('address 192.0.2.7 is not banned');
  });
});

describe('m2bbs sysop reset-password', () => {
  it('prints a one-time password that works once, at a login that must choose a new one; never in the audit nor the journal', { timeout: 90_000 }, async () => {
    (await signedUp('bob', 'old-secret')).destroy();
    const run = await sysop('reset-password', 'BOB');
    expect(run.code).toBe(0);
    const otp = /^One-time password for bob: ([a-z2-9]{12})\n/.exec(run.stdout)?.[1] ?? '';
    expect(otp).not.toBe('');
    expect(audit().at(-1)).toEqual({ action: 'reset-password', target: 'bob', detail: 'one-time password issued' });

    // The old password no longer works.
    const old = await logIn('bob', 'old-secret');
    expect(old.prompt).toBeUndefined();
    expect(old.text).toContain("That's not the right password");

    const first = await logIn('bob', otp);
    expect(first.text).toContain('You logged in with a one-time password, bob: choose your own password now.');
    expect(first.prompt).toContain('Your new password?');
    expect((await first.caller.exchange('brand-new-1')).prompt?.msg).toContain('Type the same password again');
    const changed = await first.caller.exchange('brand-new-1');
    expect(changed.texts.join('\n')).toContain('Your password is changed');
    expect(changed.prompt?.msg).toContain('Do you want to continue?');
    expect((await first.caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
    const journal = journalText();
    // The change is journaled (its hashing's result), the passwords themselves are not.
    expect(journal).toContain('call:hashNewPassword');
    expect(journal).not.toContain(otp);
    expect(journal).not.toContain('brand-new-1');
    first.caller.destroy();

    const reused = await logIn('bob', otp);
    expect(reused.prompt).toBeUndefined();
    expect(reused.text).toContain("That's not the right password");
    const fresh = await logIn('bob', 'brand-new-1');
    expect(fresh.prompt).toContain('Do you want to continue?');
    expect(`${bbs().bbs.stdoutText}${bbs().bbs.stderrText}`).not.toContain(otp);
  });

  it('says so for a name nobody has (exit 3)', async () => {
    const run = await sysop('reset-password', 'nobody-here');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('nobody is called "nobody-here"');
  });
});

describe('a caller changing their own password', () => {
  it('asks the old password first (a wrong one changes nothing), then the new one twice; the new one works, the old no more', { timeout: 90_000 }, async () => {
    const caller = await signedUp('carol', 'carol-old-1', 'bbs.11');
    expect((await caller.exchange('Y')).prompt?.msg).toContain('Your password now');
    const wrong = await caller.exchange('not-carols');
    expect(wrong.texts.join('\n')).toContain("That's not your password; it stays as it was.");
    expect(wrong.prompt?.msg).toContain('MAIN MENU');

    await caller.exchange('Y');
    expect((await caller.exchange('carol-old-1')).prompt?.msg).toContain('Your new password?');
    await caller.exchange('carol-new-2');
    const done = await caller.exchange('carol-new-2');
    expect(done.texts.join('\n')).toContain('Your password is changed');
    expect(done.prompt?.msg).toContain('MAIN MENU');
    const journal = journalText();
    expect(journal).toContain('call:checkPassword');
    for (const secret of ['carol-old-1', 'not-carols', 'carol-new-2']) expect(journal).not.toContain(secret);
    caller.destroy();

    expect((await logIn('carol', 'carol-new-2')).prompt).toContain('Do you want to continue?');
    expect((await logIn('carol', 'carol-old-1')).prompt).toBeUndefined();
  });
});
