/**
 * A reused connection id never resumes somebody else's conversation. Under `m2bbs start` (one
 * backend, so every caller reaches the backend that held the old call), a caller is left in the
 * middle of a message; the proxy is SIGKILLed and the supervisor restarts it, and the new proxy
 * counts connection ids from 1 again. New callers get the welcome screen, never the old
 * caller's conversation; the old conversation is closed and was never taken over.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../server/line.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { childRunning, descendants, killAll, until } from './support/process-tree.js';

let bbs: HandlerProcess | undefined;
let started: number[] = [];
let callers: JsonSocketClient[] = [];
let sysop: Database.Database | undefined;
afterEach(async () => {
  for (const c of callers) c.destroy();
  callers = [];
  sysop?.close();
  sysop = undefined;
  killAll(started);
  started = [];
  await bbs?.stop();
  bbs = undefined;
});

/** The proxy at `port` once it answers with every number up. */
function everyNumberUp(port: number): Promise<DirectoryEntry[]> {
  return until(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/directory`).catch(() => undefined);
    const numbers = response === undefined ? [] : ((await response.json()) as { numbers: DirectoryEntry[] }).numbers;
    return numbers.length > 0 && numbers.every((n) => n.up) ? numbers : undefined;
  }, `a proxy on port ${port} with every number up`);
}

async function dial(port: number): Promise<{ caller: JsonSocketClient; text: string }> {
  const caller = await JsonSocketClient.open(port);
  callers.push(caller);
  caller.send('connect');
  const turn = await caller.untilPrompt();
  return { caller, text: [...turn.texts, turn.prompt?.msg ?? ''].join('\n') };
}

describe('m2bbs start, after the proxy restarted (connection ids from 1 again)', () => {
  it('gives new callers the welcome screen, never the conversation of the caller who was mid-message; that one is closed, never taken over', async () => {
    bbs = HandlerProcess.run(['start', '--backends', '1', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    const banner = (await bbs.waitForStdout(/Ctrl-C stops everything\./)).input;
    started = descendants(bbs.child.pid ?? 0);
    const http = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1]);
    const root = bbs.child.pid ?? 0;
    const backend = await childRunning(root, / handler /, 'the backend');

    // The caller who will be cut off: signed up, in the middle of a message.
    const { caller: old, text: welcome } = await dial(http);
    expect(welcome).toContain('Welcome to the M2BBS.');
    for (const line of ['alice', 'secret12', 'y', 'secret12', '', '1', 'a line of alice']) await old.exchange(line);
    sysop = new Database(`${bbs.dir}/bbs.db`, { readonly: true });
    const before = sysop.prepare("SELECT c.id, c.epoch FROM conversations c JOIN callers u ON u.id = c.caller_id WHERE u.name = 'alice'").get() as { id: string; epoch: number };
    expect(before.epoch).toBe(1);

    const proxy = await childRunning(root, / proxy /, 'the proxy');
    process.kill(proxy, 'SIGKILL');
    await old.closedByServer();
    await everyNumberUp(http);
    expect(await childRunning(root, / proxy /, 'the new proxy')).not.toBe(proxy);
    expect(descendants(root)).toContain(backend);

    // New callers, on connection ids the old proxy gave out too: each starts at the welcome.
    for (let i = 0; i < 3; i++) {
      const { caller, text } = await dial(http);
      expect(text).toContain('Welcome to the M2BBS.');
      expect(text).toContain("What's your name?");
      expect(text).not.toContain('alice');
      // Their first line is a name, not line two of alice's message.
      const next = await caller.exchange('bob');
      expect(next.prompt?.msg).toBe("What's your password?");
      expect(next.texts.join('\n')).not.toMatch(/alice|message/);
      caller.destroy();
    }

    // The old conversation was closed when its proxy went (its caller is gone) and never resumed.
    const after = await until(() => {
      const row = sysop?.prepare('SELECT epoch, owner, closed_at FROM conversations WHERE id = ?').get(before.id) as { epoch: number; closed_at: number | null } | undefined;
      return row?.closed_at === null ? undefined : row;
    }, "the old caller's conversation to be closed");
    expect(after?.epoch).toBe(1);
    expect(sysop.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    // No new call was given alice's journal: none of theirs holds a line of hers.
    expect(sysop.prepare("SELECT count(*) FROM journal WHERE conversation != ? AND value LIKE '%alice%'").pluck().get(before.id)).toBe(0);
  });
});
