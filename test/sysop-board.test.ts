/**
 * `m2bbs sysop` on the board's callers and messages (users, user, messages, delete-message,
 * move-message, delete-user), run as the sysop runs it (a child process on the database) while
 * real `m2bbs handler` processes serve telnet callers on the same file: what callers do shows in
 * the listings, and what the sysop changes is what the next reader sees.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { m2bbs, type CommandRun } from './support/running-bbs.js';
import { screenFolder } from './support/screen-folder.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { telnetBoardPerTest } from './support/telnet-board.js';

const MENU = 'MAIN MENU';

/** The screen text without colour codes and carriage returns. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
}

describe('m2bbs sysop: callers and messages', () => {
  const board = telnetBoardPerTest();
  const { caller } = board;

  async function start(): Promise<void> {
    const folder = screenFolder();
    folder.write('areas.conf', 'general: General\ntech: Technical talk\n');
    await board.start({ handlerArgs: ['--screens', folder.dir] });
  }

  /** Runs `m2bbs sysop --db DB ARGS...` to its end. */
  function sysop(...args: string[]): Promise<CommandRun> {
    return m2bbs(['sysop', '--db', board.bbs.dbFile, ...args]);
  }

  /** The one JSON line `m2bbs sysop --json ARGS...` printed, once it exits 0. */
  async function sysopJson(...args: string[]): Promise<unknown> {
    const run = await sysop('--json', ...args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as unknown;
  }

  async function says(telnet: TelnetCaller, line: string, next: string | RegExp): Promise<string> {
    return plain(await telnet.type(line, next));
  }

  /** Posts `lines` in `area` from the main menu, back at the menu. */
  async function post(telnet: TelnetCaller, area: string, ...lines: string[]): Promise<void> {
    await says(telnet, '1', 'Type its number or name');
    await says(telnet, area, '1> ');
    for (const [i, line] of lines.entries()) await says(telnet, line, `${i + 2}> `);
    expect(await says(telnet, '.', MENU)).toContain('Your message is on the board as number');
  }

  it('lists the callers (bans and password resets too) and their messages, in text and JSON, and says exit 3 for what it does not know', { timeout: 90_000 }, async () => {
    await start();
    const ann = await caller('ann');
    const bob = await caller('bob_2');
    await post(ann, 'general', 'Hello from ann.');
    await post(ann, 'tech', 'Tech from ann.', 'Second line.');
    await post(bob, 'general', 'Bob here.');
    await says(ann, '3', 'Send to whom?');
    await says(ann, 'bob_2', '1> ');
    await says(ann, 'Hi bob.', '2> ');
    expect(await says(ann, '.', MENU)).toContain('Sent to bob_2.');

    const users = await sysop('users');
    expect(users.code).toBe(0);
    expect(users.stdout).toMatch(/^NAME +CREATED +CALLS +LAST CALL +BANNED\n/);
    expect(users.stdout).toMatch(/\nann +\d{4}-\d\d-\d\d \d\d:\d\d UTC +1 +\d{4}-\d\d-\d\d \d\d:\d\d UTC\n/);
    expect(users.stdout).toMatch(/\nbob_2 +\d{4}-\d\d-\d\d \d\d:\d\d UTC +1 +/);
    expect(await sysopJson('users', '--search', 'B_')).toEqual([{ name: 'bob_2', createdAt: expect.any(String), calls: 1, lastCallAt: expect.any(String), banned: false }]);
    expect((await sysop('users', '--search', 'zed')).stdout).toBe('No caller\'s name contains "zed".\n');

    expect(await sysopJson('user', 'ANN')).toEqual({
      name: 'ann',
      createdAt: expect.any(String),
      calls: 1,
      lastCallAt: expect.any(String),
      posts: 2,
      mail: { sent: 1, received: 0 },
      banned: null,
      mustChangePassword: false,
    });
    const bobText = await sysop('user', 'bob_2');
    expect(bobText.stdout).toContain('  posts                 1\n  mail                  0 sent, 1 received\n  banned                no\n  must change password  no\n');

    const tech = await sysopJson('messages', '--area', 'tech');
    expect(tech).toEqual([{ id: 2, area: 'tech', archived: false, author: 'ann', createdAt: expect.any(String), replyTo: null, firstLine: 'Tech from ann.' }]);
    const fromBob = await sysop('messages', '--from', 'bob_2');
    expect(fromBob.stdout).toMatch(/^ID +AREA +AUTHOR +DATE +FIRST LINE\n3 +general +bob_2 +\d{4}-\d\d-\d\d \d\d:\d\d UTC +Bob here\.\n$/);
    const all = (await sysopJson('messages')) as { id: number }[];
    expect(all.map((m) => m.id)).toEqual([1, 2, 3]);

    for (const [args, said] of [
      [['user', 'nobody'], 'no caller named "nobody"'],
      [['messages', '--area', 'nowhere'], 'no area named "nowhere"'],
      [['messages', '--from', 'nobody'], 'no caller named "nobody"'],
    ] as const) {
      const run = await sysop(...args);
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stderr).toContain(said);
      expect(run.stdout).toBe('');
    }
    const wrongFlag = await sysop('users', '--posts', 'keep');
    expect(wrongFlag.code).toBe(2);
    expect(wrongFlag.stderr).toContain('users does not take --posts');

    // A ban and a password reset (the access commands) show in the listings.
    expect((await sysop('ban', 'bob_2', '--reason', 'spamming')).code).toBe(0);
    expect((await sysop('reset-password', 'ann')).code).toBe(0);
    expect((await sysop('users')).stdout).toMatch(/\nbob_2 +.* UTC +banned\n/);
    const banned = (await sysopJson('user', 'bob_2')) as { banned: unknown };
    expect(banned.banned).toEqual({ reason: 'spamming', by: expect.any(String), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await sysop('user', 'bob_2')).stdout).toMatch(/\n {2}banned {16}yes, by .+ on \d{4}-\d\d-\d\d \d\d:\d\d UTC: spamming\n/);
    expect(await sysopJson('user', 'ann')).toEqual(expect.objectContaining({ banned: null, mustChangePassword: true }));
  });

  it('delete-message: the next reader does not see it, replies keep their words but not its quote, the counts stay right', { timeout: 90_000 }, async () => {
    await start();
    const ann = await caller('ann');
    await post(ann, 'general', 'BUY CHEAP WATCHES');
    await post(ann, 'general', 'Real news.');
    const bob = await caller('bob');
    await says(bob, 'N', 'Read them?');
    await says(bob, 'y', "That's all in General");
    await says(bob, 'R 1', 'lines to keep');
    await says(bob, '', '2> ');
    await says(bob, 'Please stop that.', '3> ');
    expect(await says(bob, '.', "That's all in General")).toContain('is on the board as number 3.');
    await says(bob, '', MENU);

    const deleted = await sysop('delete-message', '1');
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('Deleted message 1 (general, by ann: BUY CHEAP WATCHES).\n');

    // A new caller is told of the two left, and reads them without the deleted one or its quote.
    const cat = await caller('cat');
    expect(plain(cat.text)).toContain('New: General 2\n');
    const read = await says(cat, 'N', 'Read them?');
    expect(read).toContain('General: 2 new.');
    const shown = await says(cat, 'y', "That's all in General");
    expect(shown).not.toContain('WATCHES');
    expect(shown).toContain('--- #2 from ann');
    expect(shown).toContain('--- #3 from bob');
    expect(shown).toContain('> (the message quoted here was deleted)\nPlease stop that.');
    expect(shown).not.toContain('Re: #1');
    // bob, who had read everything, has nothing new; ann has bob's reply only.
    expect(await says(bob, 'N', MENU)).toContain('Nothing new since you last read.');
    expect(await says(ann, 'N', 'Read them?')).toContain('General: 1 new.');

    const again = await sysop('delete-message', '1');
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('no message 1');
    const typo = await sysop('delete-message', 'one');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('delete-message takes a message number');

    const db = new Database(board.bbs.dbFile, { readonly: true });
    try {
      expect(db.prepare("SELECT messages FROM areas WHERE name = 'general'").pluck().get()).toBe(2);
      expect(db.prepare('SELECT action, target, detail FROM sysop_actions').all()).toEqual([{ action: 'delete-message', target: '1', detail: 'general, by ann: BUY CHEAP WATCHES' }]);
    } finally {
      db.close();
    }
  });

  it('delete-message of the newest and of one a caller is replying to: the reply is posted, no number is given twice', { timeout: 90_000 }, async () => {
    await start();
    const ann = await caller('ann');
    await post(ann, 'general', 'Hello all.');
    await post(ann, 'general', 'BUY NOW');
    // cat reads up to #2 (their read mark), bob too, and starts a reply to #1.
    const cat = await caller('cat');
    await says(cat, 'N', 'Read them?');
    await says(cat, 'y', "That's all in General");
    await says(cat, '', MENU);
    const bob = await caller('bob');
    await says(bob, 'N', 'Read them?');
    await says(bob, 'y', "That's all in General");
    await says(bob, 'R 1', 'lines to keep');
    await says(bob, '', '2> ');
    await says(bob, 'Welcome, ann.', '3> ');

    expect((await sysop('delete-message', '2')).code).toBe(0);
    expect((await sysop('delete-message', '1')).code).toBe(0);
    // bob's reply outlives the message it answered: posted, under a number never given before.
    expect(await says(bob, '.', "That's all in General")).toContain('is on the board as number 3.');
    await says(bob, '', MENU);
    await says(ann, '1', 'Type its number or name');
    await says(ann, 'general', '1> ');
    await says(ann, 'Sorry about that.', '2> ');
    expect(await says(ann, '.', MENU)).toContain('Your message is on the board as number 4.');

    // cat's mark is #2, deleted: both later posts are new to them.
    expect(await says(cat, 'N', 'Read them?')).toContain('General: 2 new.');
    const shown = await says(cat, 'y', "That's all in General");
    expect(shown).toContain('--- #3 from bob');
    expect(shown).toContain('> (the message quoted here was deleted)\nWelcome, ann.');
    expect(shown).not.toContain('Re: #1');
    expect(shown).toContain('--- #4 from ann');
    expect(shown).toContain('Sorry about that.');
  });

  it('move-message: a reader finds it in its new area, new to them there', { timeout: 90_000 }, async () => {
    await start();
    const ann = await caller('ann');
    await post(ann, 'general', 'My modem will not dial.');
    await post(ann, 'general', 'Hello all.');
    const moved = await sysopJson('move-message', '1', 'TECH');
    expect(moved).toEqual({ id: 1, from: 'general', to: 'tech', newId: 3, author: 'ann', moved: true });

    const bob = await caller('bob');
    expect(plain(bob.text)).toContain('New: General 1, Technical talk 1\n');
    await says(bob, '2', 'Type its number or name');
    const read = await says(bob, 'tech', "That's all in Technical talk");
    expect(read).toContain('--- #3 from ann');
    expect(read).toContain('My modem will not dial.');
    await says(bob, '', MENU);
    await says(bob, '2', 'Type its number or name');
    expect(await says(bob, 'general', "That's all in General")).not.toContain('modem');

    const same = await sysop('move-message', '3', 'tech');
    expect(same.stdout).toBe('Message 3 is in tech already: nothing changed.\n');
    for (const [args, said] of [[['move-message', '1', 'tech'], 'no message 1'], [['move-message', '3', 'nowhere'], 'no area named "nowhere"']] as const) {
      const run = await sysop(...args);
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stderr).toContain(said);
    }
  });

  it('delete-user --posts keep: the caller on is hung up, their posts show from a deleted caller, the name cannot log in or sign up', { timeout: 90_000 }, async () => {
    await start();
    const ann = await caller('ann');
    await post(ann, 'general', 'Goodbye, cruel board.');
    const bob = await caller('bob');

    const usage = await sysop('delete-user', 'ann');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('delete-user needs --posts keep');

    const done = await sysopJson('delete-user', 'ann', '--posts', 'keep');
    expect(done).toEqual({ deleted: 'ann', posts: 'keep', messages: 1, wallLines: 0, mailSent: 0, chatLines: 0, mailReceived: 0, lines: 1, hungUp: 1 });
    await ann.waitFor('The sysop has closed your account on this board.');
    await ann.whenClosed();

    await says(bob, '2', 'Type its number or name');
    const read = await says(bob, 'general', "That's all in General");
    expect(read).toContain('--- #1 from a deleted caller');
    expect(read).toContain('Goodbye, cruel board.');
    expect(read).not.toContain('from ann');

    // ann again: her name is nobody's now, and signing up with it is refused.
    const back = await TelnetCaller.open(board.bbs.telnetPort, 'xterm');
    try {
      await back.waitFor("What's your name?");
      // Refused at the name prompt: no password asked, no sign-up offered.
      const refused = plain(await back.type('ann', "What's your name?"));
      expect(refused).toContain('The name ann is taken.');
      expect(refused).toContain('or it belonged to an account since closed.');
      expect(refused).not.toContain('password');
      expect(refused).not.toContain('Sign up');
    } finally {
      back.close();
    }

    const users = await sysopJson('users');
    expect(users).toEqual([expect.objectContaining({ name: 'bob' })]);
    const gone = await sysop('user', 'ann');
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/the caller "ann" was deleted on \d{4}-/);
    expect((await sysop('delete-user', 'ann', '--posts', 'keep')).code).toBe(3);
    expect((await sysop('messages', '--from', 'a deleted caller')).stdout).toContain('Goodbye, cruel board.');
    const placeholder = await sysop('user', 'a deleted caller');
    expect(placeholder.code).toBe(3);
    expect(placeholder.stderr).toContain('"a deleted caller" is no caller');
  });

  it('delete-user --posts delete: their messages go, the counts stay right', { timeout: 90_000 }, async () => {
    await start();
    const ann = await caller('ann');
    await post(ann, 'general', 'Spam one.');
    await post(ann, 'tech', 'Spam two.');
    const bob = await caller('bob');
    await post(bob, 'general', 'Not spam.');

    expect(await sysopJson('delete-user', 'ann', '--posts', 'delete')).toEqual({ deleted: 'ann', posts: 'delete', messages: 2, wallLines: 0, mailSent: 0, chatLines: 0, mailReceived: 0, lines: 1, hungUp: 1 });
    await ann.waitFor('The sysop has closed your account on this board.');
    const cat = await caller('cat');
    expect(plain(cat.text)).toContain('New: General 1\n');
    await says(cat, '2', 'Type its number or name');
    const read = await says(cat, 'general', "That's all in General");
    expect(read).toContain('Not spam.');
    expect(read).not.toContain('Spam one.');
    expect(await sysopJson('messages')).toEqual([expect.objectContaining({ id: 3, author: 'bob' })]);
  });
});
