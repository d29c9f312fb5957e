/**
 * A journal that no longer fits the code is never replayed silently wrong. Through the real
 * proxy and real backends: a caller mid-message, the screens changed so that menu "main" has
 * other items, the backend killed; the backend that takes the call over tells the caller in one
 * line and shows the main menu, still logged in, and logs which conversation, which step and why.
 * Before logging in (nothing the screens change is journaled there) the code itself changes: an
 * engine running a changed flow takes the call over and starts again at the welcome screen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { CHANGED_NOTICE } from '../handler/replay-driver.js';
import { call, type Flow } from '../handler/effects.js';
import { bbs as bbsFlow } from '../handler/flows/bbs.js';
import { Journal } from '../handler/journal.js';
import type { FlowStart } from '../handler/replay.js';
import { createHarness, SERVER_UUID, TEST_LIMITS, type Harness } from './support/harness.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { screenFolder } from './support/screen-folder.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

let bbs: TestBbs | undefined;
let caller: JsonSocketClient | undefined;
let sysop: Database.Database | undefined;
let harnesses: Harness[] = [];
let dir = '';
afterEach(async () => {
  caller?.destroy();
  sysop?.close();
  for (const h of harnesses) h.close();
  await bbs?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  [bbs, caller, sysop, harnesses, dir] = [undefined, undefined, undefined, [], ''];
});

// The main menu where 1, the choice the caller made, now reads the board instead.
const NEW_MAIN_MENU = 'title: MAIN MENU\n1. Read messages left. -> read_messages\n3. Send to someone else. -> send_mail\n4. Read messages to you. -> read_mail\nO. The one-liner wall. -> flow oneliners\nQ. Quit the BBS. -> quit\n';
// The main menu with one more entry: the caller's choice still leads where it led.
const MORE_MAIN_MENU = 'title: MAIN MENU\n1. Leave a message. -> leave_message\n2. Read messages left. -> read_messages\n3. Send to someone else. -> send_mail\n4. Read messages to you. -> read_mail\n5. Messages again. -> read_messages\nO. The one-liner wall. -> flow oneliners\nQ. Quit the BBS. -> quit\n';

describe('a journal from changed screens, through the proxy', () => {
  it('gives the caller one notice line and the new main menu, still logged in; the backend log says which conversation, which step and why', async () => {
    const folder = screenFolder();
    bbs = await startTestBbs({ backends: 2, batch: true, handlerArgs: ['--screens', folder.dir] });
    caller = await JsonSocketClient.open(bbs.frontPort);
    await caller.exchange('connect');
    for (const line of ['alice', 'secret12', 'y', 'secret12', '']) await caller.exchange(line);
    expect((await caller.exchange('1')).texts.join('\n')).toContain('Leave a message');
    expect((await caller.exchange('a line that will not be kept')).prompt).toMatchObject({ pchar: ' 2> ' });

    // A deploy of new screens: both backends take them up (a restarted one would start on them).
    const logged = bbs.handlers.map((h) => h.records.length);
    folder.replace('main.menu', NEW_MAIN_MENU);
    await Promise.all(bbs.handlers.map((h, i) => h.waitForLog((r) => r.msg === 'screens reloaded', logged[i])));

    const serving = bbs.proxy.switchboard.directory().findIndex((n) => n.inUse > 0);
    const victim = bbs.handlers[serving];
    const heir = bbs.handlers[1 - serving];
    expect(victim).toBeDefined();
    const heirLogged = heir?.records.length ?? 0;
    victim?.child.kill('SIGKILL');

    const moved = await caller.untilPrompt();
    // The proxy's line, the one notice, then the main menu as the new screens have it.
    expect(moved.texts).toEqual([
      `-- line moved to @bbs.${10 + 1 - serving} --`,
      `${CHANGED_NOTICE.loggedIn}\n`,
      '---(((MAIN MENU))---\n1. Read messages left.\n3. Send to someone else.\n4. Read messages to you.\nO. The one-liner wall.\nQ. Quit the BBS.',
    ]);

    const why = await heir?.waitForLog((r) => String(r.msg).startsWith('conversation does not fit the code'), heirLogged);
    sysop = new Database(bbs.dbFile, { readonly: true });
    const conversation = sysop.prepare("SELECT c.id FROM conversations c JOIN callers u ON u.id = c.caller_id WHERE u.name = 'alice'").pluck().get() as string;
    expect(why).toMatchObject({ conversation, caller: 'alice', step: expect.any(Number), why: expect.stringMatching(/the journal has call:writingWait:\[\d+,30\], the code now asks for call:newScan/) });

    // Still alice: what she posts now is hers; the line of the message cut short is not posted.
    expect((await caller.exchange('3')).texts.join('\n')).toContain('Send to whom?');
  });

  it('keeps a half-written message when the menu it was started from only gained an entry', async () => {
    const folder = screenFolder();
    bbs = await startTestBbs({ backends: 2, batch: true, handlerArgs: ['--screens', folder.dir] });
    caller = await JsonSocketClient.open(bbs.frontPort);
    await caller.exchange('connect');
    for (const line of ['amy', 'secret12', 'y', 'secret12', '', '1']) await caller.exchange(line);
    expect((await caller.exchange('a line that is kept')).prompt).toMatchObject({ pchar: ' 2> ' });
    const logged = bbs.handlers.map((h) => h.records.length);
    folder.replace('main.menu', MORE_MAIN_MENU);
    await Promise.all(bbs.handlers.map((h, i) => h.waitForLog((r) => r.msg === 'screens reloaded', logged[i])));
    bbs.handlers[bbs.proxy.switchboard.directory().findIndex((n) => n.inUse > 0)]?.child.kill('SIGKILL');

    const moved = await caller.untilPrompt();
    expect(moved.texts[0]).toMatch(/^-- line moved to @bbs\.1[01] --$/);
    expect(moved.texts.join('\n')).not.toContain('updated');
    expect(moved.prompt).toMatchObject({ pchar: ' 2> ' });
    await caller.exchange('and the line after it');
    expect((await caller.exchange('.')).texts.join('\n')).toContain('Your message is on the board as number 1.');
    sysop = new Database(bbs.dbFile, { readonly: true });
    expect(sysop.prepare('SELECT body FROM messages').pluck().all()).toEqual(['a line that is kept\nand the line after it']);
  });
});

describe('a journal from changed flow code, before logging in', () => {
  it('starts the call again at the welcome screen with one notice line, and logs which conversation, which step and why', async () => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-changed-'));
    const file = join(dir, 'bbs.db');
    const backend = (owner: string, startFlow: (start?: FlowStart) => Flow, lines: string[]): Harness => {
      const store = createStore(openDatabase(file));
      const log = createLogger('info', { write: (text: string) => lines.push(text) });
      const h = createHarness({ store, journal: new Journal({ store: store.journal, owner, log, now: Date.now }), startFlow, log });
      harnesses.push(h);
      return h;
    };
    const oldCode = backend('A', (start) => bbsFlow(TEST_LIMITS, start), []);
    const before = oldCode.caller('1');
    await before.dial();
    expect((await before.say('carol'))?.msg).toBe("What's your password?");

    // The new code counts the board before it asks for a name: the journal's first row no longer fits.
    function* changed(start?: FlowStart): Flow {
      if (start === undefined) yield* call('countMessages');
      yield* bbsFlow(TEST_LIMITS, start);
    }
    const log: string[] = [];
    const newCode = backend('B', changed, log);
    // Moved with nothing typed since the password prompt: the proxy asks for the prompt again.
    const after = newCode.caller('1', { RESUME: '1' });
    after.sendBody(JSON.stringify({ type: 'ping' }));
    const replies = await until(() => (after.replies.some((r) => r.type === 'prompt') ? after.replies : undefined), 'the prompt after the takeover', 5000);
    expect(replies.map((r) => r.type)).toEqual(['screen', 'screen', 'prompt']);
    expect(replies[0]?.msg).toBe(`${CHANGED_NOTICE.notLoggedIn}\n`);
    expect(replies[1]?.msg).toContain('Welcome to the M2BBS.');
    expect(replies[2]?.msg).toBe("What's your name? (new callers: pick one)");
    const record = log.map((line) => JSON.parse(line) as Record<string, unknown>).find((r) => String(r.msg).startsWith('conversation does not fit the code'));
    expect(record).toMatchObject({ conversation: `m2/${SERVER_UUID}/0/1`, step: 0, why: expect.stringMatching(/^row 0: the journal has checkpoint:start, the code now asks for call:countMessages/) });
    expect(record?.caller).toBeUndefined();
  });

  it('drops the lines sent with the move: a password typed at its prompt is never read as a name, nor journaled', async () => {
    dir = mkdtempSync(join(tmpdir(), 'm2bbs-changed-'));
    const file = join(dir, 'bbs.db');
    const backend = (startFlow: (start?: FlowStart) => Flow): Harness => {
      const store = createStore(openDatabase(file));
      const h = createHarness({ store, journal: new Journal({ store: store.journal, owner: 'x', log: createLogger('silent'), now: Date.now }), startFlow });
      harnesses.push(h);
      return h;
    };
    const before = backend((start) => bbsFlow(TEST_LIMITS, start)).caller('1');
    await before.dial();
    expect((await before.say('carol'))?.msg).toBe("What's your password?");
    function* changed(start?: FlowStart): Flow {
      if (start === undefined) yield* call('countMessages');
      yield* bbsFlow(TEST_LIMITS, start);
    }
    const newCode = backend(changed);
    // Typed while the line moved, sent again by the proxy with the move: the password, then more.
    const moving = newCode.caller('1', { RESUME: '1', ACKED: '2' });
    moving.sendBody(JSON.stringify({ type: 'msg', msg: 'Pw-carol-6620' }));
    moving.sendBody(JSON.stringify({ type: 'msg', msg: 'y' }));
    const replies = await until(() => (moving.replies.some((r) => r.type === 'prompt') ? moving.replies : undefined), 'the prompt after the takeover', 5000);
    expect(replies.map((r) => r.msg.split('\n')[0])).toEqual([CHANGED_NOTICE.notLoggedIn, ' __  __ ____  ____  ____  ____', "What's your name? (new callers: pick one)"]);
    // The caller answers the prompt now shown.
    expect((await newCode.caller('1').say('carol'))?.msg).toBe("What's your password?");
    sysop = new Database(file, { readonly: true });
    expect(sysop.prepare("SELECT count(*) FROM journal WHERE value LIKE '%Pw-carol%'").pluck().get()).toBe(0);
    expect(sysop.prepare("SELECT value FROM journal WHERE kind = 'line' ORDER BY n").pluck().all()).toEqual(['"carol"', '"carol"']);
  });
});
