/**
 * `m2bbs sysop who`, `kick` and `broadcast` against a whole `m2bbs start` with two numbers, run as
 * a sysop runs them (child processes on the BBS's database), and the control socket refusing a
 * broadcast that does not carry the BBS's token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { m2bbs, runFileOf, startBbs } from './support/running-bbs.js';
import { useSysopBbs } from './support/sysop-bbs.js';

const { running: bbs, callers, sysop } = useSysopBbs();

/** A caller on `@number`, signed up as `name` and at the main menu. */
async function atMenu(number: string, name: string): Promise<JsonSocketClient> {
  const caller = await JsonSocketClient.open(bbs().http, `@${number}`);
  callers.push(caller);
  await caller.exchange('connect');
  for (const line of [name, 'secret12', 'y', 'secret12']) await caller.exchange(line);
  expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
  return caller;
}

interface WhoRow {
  conn: string;
  number: string;
  door: string;
  remote: string | null;
  name: string | null;
  onForMs: number;
  doing: string;
}

async function whoJson(): Promise<WhoRow[]> {
  const run = await sysop('who', '--json');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as WhoRow[];
}

/** The actions `m2bbs sysop` recorded, oldest first. */
function audit(): { sysop: string; action: string; target: string; detail: string | null }[] {
  const db = new Database(bbs().db, { readonly: true });
  try {
    return db.prepare('SELECT sysop, action, target, detail FROM sysop_actions ORDER BY id').all() as { sysop: string; action: string; target: string; detail: string | null }[];
  } finally {
    db.close();
  }
}

describe('m2bbs sysop who', () => {
  it('lists a caller on @bbs.11 and one on @bbs.10 (call id, number, door, address, name, doing), and a caller still at the name prompt', { timeout: 60_000 }, async () => {
    await atMenu('bbs.11', 'wanda');
    await atMenu('bbs.10', 'walt');
    const dialling = await JsonSocketClient.open(bbs().http, '@bbs.10');
    callers.push(dialling);
    expect((await dialling.exchange('connect')).prompt?.msg).toContain("What's your name?");

    const rows = await whoJson();
    const wanda = rows.find((row) => row.name === 'wanda');
    expect(wanda).toMatchObject({ number: 'bbs.11', remote: '127.0.0.1', conn: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(wanda?.doing).not.toBe('');
    expect(rows.find((row) => row.name === 'walt')).toMatchObject({ number: 'bbs.10', remote: '127.0.0.1' });
    expect(rows.filter((row) => row.name === null && row.number === 'bbs.10')).toHaveLength(1);

    const text = await sysop('who');
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CALL\s+NUMBER\s+DOOR\s+ADDRESS\s+NAME\s+ON FOR\s+DOING$/);
    const wandaLine = lines.find((line) => line.includes(' wanda '));
    expect(wandaLine).toMatch(new RegExp(`^${wanda?.conn.slice(0, 8)}\\s+bbs\\.11\\s+${wanda?.door}\\s+127\\.0\\.0\\.1\\s+wanda\\s+\\d+s\\s+\\S`));
    expect(lines.some((line) => line.includes('(not logged in)'))).toBe(true);
    expect(lines.at(-1)).toBe(`${rows.length} callers on.`);
  });

  it('says nobody is on when nobody is (exit 0), and --json gives an empty list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-sysop-'));
    try {
      openDatabase(join(dir, 'empty.db')).close();
      const text = await m2bbs(['sysop', 'who', '--db', join(dir, 'empty.db')]);
      expect(text).toMatchObject({ code: 0, stdout: 'Nobody is on.\n' });
      expect(JSON.parse((await m2bbs(['sysop', 'who', '--json', '--db', join(dir, 'empty.db')])).stdout)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('m2bbs sysop who and kick on a database with calls in it', () => {
  it('escapes what a terminal would act on, and a call id prefix of two calls is a usage error (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-sysop-'));
    try {
      const file = join(dir, 'seeded.db');
      const db = openDatabase(file);
      // Rows as a running backend writes them. Their beat is dated ahead: nothing beats them while
      // the three commands below start one after the other, which on a busy machine took over the
      // 3 s after which a row no longer counts (the last kick found no call: exit 3).
      const now = Date.now();
      const beat = now + 10 * 60_000;
      const row = db.prepare('INSERT INTO presence (line, number, door, caller_id, name, since, doing, owner, heartbeat_at, remote) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)');
      row.run('abcdef0011111111111111111111111a', 'bbs.10', 'telnet', null, now - 125_000, '', 'bbs.10:1', beat, '10.0.0.7');
      row.run('abcdef0022222222222222222222222b', 'bbs.11', 'web', 'mallory\u001b]0;owned\u0007', now - 5000, 'at the main menu', 'bbs.11:1', beat, null);
      // A caller who named themselves like the first call's id.
      row.run('1234567833333333333333333333333c', 'bbs.10', 'telnet', 'abcdef0011', now - 1000, 'at the main menu', 'bbs.10:1', beat, null);
      db.close();
      const who = await m2bbs(['sysop', 'who', '--db', file]);
      expect(who.code).toBe(0);
      expect(who.stdout).not.toContain('\u001b');
      expect(who.stdout.split('\n').slice(1, 4)).toEqual([
        expect.stringMatching(/^abcdef00  bbs\.10  telnet  10\.0\.0\.7\s+\(not logged in\)\s+2m \d\ds\s+-$/),
        expect.stringMatching(/^abcdef00  bbs\.11  web\s+unknown\s+mallory\\u001b\]0;owned\\u0007\s+\d+s\s+at the main menu$/),
        expect.stringMatching(/^12345678  bbs\.10  telnet\s+unknown\s+abcdef0011\s+\d+s\s+at the main menu$/),
      ]);
      const kick = await m2bbs(['sysop', 'kick', 'abcdef', '--db', file]);
      expect(kick.code).toBe(2);
      expect(kick.stderr).toContain('abcdef begins 2 calls\' ids');
      // Neither the caller so named nor the call whose id it begins is kicked for the other.
      const spoof = await m2bbs(['sysop', 'kick', 'abcdef0011', '--db', file]);
      expect(spoof.code).toBe(2);
      expect(spoof.stderr).toContain("is both a caller's name and the start of another call's id");
      const one = new Database(file, { readonly: true });
      expect(one.prepare('SELECT count(*) AS n FROM hang_up_orders').get()).toEqual({ n: 0 });
      one.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('m2bbs sysop kick', () => {
  it('shows the caller the reason and closes their line; exit 0, recorded with who did it, gone from who', { timeout: 60_000 }, async () => {
    const caller = await atMenu('bbs.11', 'kelly');
    const run = await sysop('kick', 'KELLY', '--reason', 'spamming the chat');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Kicked kelly \(call [0-9a-f]{8} on bbs\.11\); they were shown: spamming the chat\n$/);
    await caller.hears((reply) => reply.msg.includes('You were disconnected by the sysop: spamming the chat'));
    await caller.closedByServer();
    const recorded = audit().at(-1);
    expect(recorded).toEqual({ sysop: expect.any(String), action: 'kick', target: expect.stringMatching(/^kelly [0-9a-f]{32}$/), detail: 'spamming the chat' });
    await bbs().bbs.waitForLog((r) => r.msg === 'sysop action' && r.action === 'kick' && r.sysop === recorded?.sysop && r.target === recorded?.target && r.detail === 'spamming the chat');
    expect((await whoJson()).map((row) => row.name)).not.toContain('kelly');
  });

  it('kicks a caller not logged in yet by the first digits of their call id', { timeout: 60_000 }, async () => {
    // Calls of earlier tests may still be listed while their backend sees them gone: this one is new.
    const before = new Set((await whoJson()).map((row) => row.conn));
    const caller = await JsonSocketClient.open(bbs().http, '@bbs.10');
    callers.push(caller);
    await caller.exchange('connect');
    const mine = await until(async () => (await whoJson()).find((row) => row.name === null && row.number === 'bbs.10' && !before.has(row.conn)), 'the new call in who');
    const run = await sysop('kick', mine.conn.slice(0, 8));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Kicked a caller not logged in');
    await caller.hears((reply) => reply.msg.includes('You were disconnected by the sysop: no reason given'));
    await caller.closedByServer();
  });

  it('exits 3 with a clear line for a name nobody on has, and 2 for a reason too long', async () => {
    const run = await sysop('kick', 'nobody-here', '--reason', 'x');
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe('m2bbs sysop kick: nobody called "nobody-here" is on, and no call on has that id (m2bbs sysop who lists who is on)');
    const long = await sysop('kick', 'nobody-here', '--reason', 'x'.repeat(201));
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('--reason is the one line the caller is shown: 1 to 200 characters, no control characters, got "xxxx');
    // Two lines, or an escape: not one line the caller can be shown.
    const twoLines = await m2bbs(['sysop', 'kick', 'nobody', '--reason', 'line one\n\u001b[2Jline two', '--db', bbs().db]);
    expect(twoLines.code).toBe(2);
    expect(twoLines.stderr).toContain('"line one\\n\\u001b[2Jline two"');
  });
});

/** Sends one raw line on the control socket and resolves with the JSON lines it answered. */
function talk(path: string, line: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path, () => socket.write(line));
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)));
  });
}

describe('m2bbs sysop broadcast', () => {
  it('reaches callers on both numbers at once, in chat too; recorded', { timeout: 60_000 }, async () => {
    const ann = await atMenu('bbs.11', 'bella');
    const bob = await atMenu('bbs.10', 'bruno');
    expect((await bob.exchange('C')).texts.join('\n')).toContain('You are in the chat room "main"');
    const run = await sysop('broadcast', 'The board goes down', 'in five minutes');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Broadcast to every caller \(\d+ logged in now\): The board goes down in five minutes\n$/);
    for (const caller of [ann, bob]) await caller.hears((reply) => reply.msg.includes('*** sysop: The board goes down in five minutes'));
    const recorded = audit().at(-1);
    expect(recorded).toEqual({ sysop: expect.any(String), action: 'broadcast', target: 'everyone', detail: 'The board goes down in five minutes' });
    await bbs().bbs.waitForLog((r) => r.msg === 'broadcast' && r.sysop === recorded?.sysop && r.text === 'The board goes down in five minutes');
  });

  it('is refused by the control socket without the token or with a wrong one: nothing reaches a caller', { timeout: 60_000 }, async () => {
    const caller = await atMenu('bbs.11', 'tessa');
    const { control, token } = runFileOf(bbs().db);
    const without = await talk(control, `${JSON.stringify({ op: 'broadcast', text: 'forged without a token' })}\n`);
    expect(without).toEqual([{ ok: false, error: expect.stringMatching(/token/) }]);
    const wrong = await talk(control, `${JSON.stringify({ op: 'broadcast', text: 'forged with a wrong token', token: token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) })}\n`);
    expect(wrong).toEqual([{ ok: false, error: expect.stringMatching(/token/) }]);
    // A real one after them: events from one publisher come in order, so a forged one would be first.
    const from = caller.heard.length;
    expect((await sysop('broadcast', 'the real one')).code).toBe(0);
    await caller.hears((reply) => reply.msg.includes('*** sysop: the real one'), from);
    expect(caller.heard.map((reply) => reply.msg).join('\n')).not.toMatch(/forged/);
  });

  it('reaches callers under --zmq curve too (the BBS joins its own CURVE bus with the local backends\' key)', { timeout: 60_000 }, async () => {
    const curve = await startBbs(['--backends', '1', '--zmq', 'curve']);
    onTestFinished(() => curve.bbs.stop().then(() => undefined));
    const caller = await JsonSocketClient.open(curve.http, '@bbs.10');
    callers.push(caller);
    await caller.exchange('connect');
    for (const line of ['cora', 'secret12', 'y', 'secret12']) await caller.exchange(line);
    expect((await caller.exchange('')).prompt?.msg).toContain('MAIN MENU');
    const run = await m2bbs(['sysop', 'broadcast', 'over CURVE', '--db', curve.db]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    await caller.hears((reply) => reply.msg.includes('*** sysop: over CURVE'));
  });

  it('with no BBS running on the database: exit 1 and a clear line, nothing recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-sysop-'));
    try {
      openDatabase(join(dir, 'idle.db')).close();
      const run = await m2bbs(['sysop', 'broadcast', 'hello', '--db', join(dir, 'idle.db')]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toMatch(/^m2bbs sysop: no BBS is running on .*idle\.db/);
      const db = new Database(join(dir, 'idle.db'), { readonly: true });
      expect(db.prepare('SELECT count(*) AS n FROM sysop_actions').get()).toEqual({ n: 0 });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
