/**
 * `m2bbs sysop replay` (issue 18): what a caller saw and typed, rebuilt from their call's journal,
 * matches what their own client showed, screen by screen, with the password masked; a call it
 * cannot find is exit 3; reading a call is recorded with who read it.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonReply } from './support/reply-queue.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { m2bbs, startBbs, type RunningBbs } from './support/running-bbs.js';

let running: RunningBbs | undefined;
const callers: JsonSocketClient[] = [];
afterEach(async () => {
  for (const caller of callers.splice(0)) caller.destroy();
  await running?.bbs.stop();
  running = undefined;
});

const PASSWORD = 'Zoe-secret-77';

interface Entry {
  readonly kind: string;
  readonly text: string;
}

describe('m2bbs sysop replay', () => {
  it("prints the call as the caller's client showed it, the password as ***, and records who read it", { timeout: 60_000 }, async () => {
    running = await startBbs(['--backends', '1']);
    const { http, db } = running;
    const zoe = await JsonSocketClient.open(http, '@bbs.10');
    callers.push(zoe);
    // Her message carries a title-setting escape: the sysop's terminal must not get it raw.
    const typed = ['zoe', PASSWORD, 'y', PASSWORD, '', '1', 'a line from zoe \u001b]0;owned\u0007', '.', 'q'];
    await zoe.exchange('connect');
    for (const line of typed.slice(0, -1)) await zoe.exchange(line);
    zoe.send('q');
    await zoe.closedByServer();

    const run = await m2bbs(['sysop', '--db', db, '--json', 'replay', 'zoe']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const replay = JSON.parse(run.stdout) as { call: string; caller: string; entries: Entry[] };
    expect(replay.caller).toBe('zoe');
    // Every screen and prompt from the BBS, in order, as the client got them, the goodbye (an
    // `exit`) among the screens (the proxy's own notices, such as its CONNECT line, are not the
    // backend's and not journaled).
    const seen = (zoe.heard as JsonReply[]).filter((reply) => ['screen', 'prompt', 'exit'].includes(reply.type)).map((reply) => ({ kind: reply.type === 'prompt' ? 'prompt' : 'screen', text: reply.type === 'prompt' ? `${reply.msg}${String(reply.pchar ?? '')}` : reply.msg }));
    expect(replay.entries.filter((entry) => entry.kind === 'screen' || entry.kind === 'prompt')).toEqual(seen);
    // What the caller typed, the password masked, and never in the output.
    // (The line with the escape as the backend read it: --json gives the data as journaled.)
    expect(replay.entries.filter((entry) => entry.kind === 'typed').map((entry) => entry.text)).toEqual(
      typed.map((line) => (line === PASSWORD ? '***' : line.includes('\u001b') ? expect.stringContaining('a line from zoe') : line)),
    );
    expect(run.stdout).not.toContain(PASSWORD);

    // The text form says the same, line by line.
    const text = await m2bbs(['sysop', '--db', db, 'replay', 'zoe']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('YOU: a line from zoe ]0;owned');
    expect(text.stdout).not.toMatch(/[\u001b\u0007]/);
    expect(text.stdout).toContain('YOU: ***');
    expect(text.stdout).toMatch(/BBS: Your message is on the board as number \d+\./);

    const audit = new Database(db, { readonly: true });
    try {
      expect(audit.prepare("SELECT action, target FROM sysop_actions WHERE action = 'replay'").all()).toHaveLength(2);
    } finally {
      audit.close();
    }

    // By the start of the call's id, as `who` shows it: the same call.
    const short = await m2bbs(['sysop', '--db', db, '--json', 'replay', replay.call.slice(0, 8)]);
    expect(short.stderr).toBe("");
    expect(short.code).toBe(0);
    expect((JSON.parse(short.stdout) as { call: string }).call).toBe(replay.call);

    const unknown = await m2bbs(['sysop', '--db', db, 'replay', 'nobody-here']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no call "nobody-here"');
  });
});
