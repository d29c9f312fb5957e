/**
 * Chat and paging with real processes (issue 17): the proxy, two backends (@bbs.10, @bbs.11) and
 * the bus device between them, callers on the JSON socket door. One caller chats and the other
 * reads it; a page reaches a caller on the other number at once; a backend SIGKILLed mid-chat
 * leaves the other caller chatting and its own caller, after their next line, back in the room.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INJECTION_LINE, assertHarmless, assertSurvives } from './support/injection-payloads.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import type { JsonReply } from './support/reply-queue.js';
import { until } from './support/process-tree.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { createLogger } from '../common/log.js';
import { createEventBus } from '../handler/event-bus.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

let bbs: TestBbs;
const callers: JsonSocketClient[] = [];
beforeEach(async () => {
  bbs = await startTestBbs({ backends: 2, batch: true });
});
afterEach(async () => {
  for (const caller of callers.splice(0)) caller.destroy();
  await bbs.close();
});

/**
 * A caller on `route` (a number, or `bbs` to be dialled to any), signed up as `name`, at the main
 * menu; with `landOn`, dialled again until the proxy put them on that number.
 */
async function signedUp(route: string, name: string, landOn?: string): Promise<JsonSocketClient> {
  const inUse = (): number => bbs.proxy.switchboard.directory().reduce((sum, n) => sum + n.inUse, 0);
  const before = inUse();
  for (;;) {
    const caller = await JsonSocketClient.open(bbs.frontPort, `@${route}`);
    callers.push(caller);
    await caller.exchange('connect');
    if (landOn === undefined || bbs.proxy.switchboard.directory().find((n) => n.number === landOn)?.inUse === 1) {
      for (const line of [name, 'secret12', 'y', 'secret12']) await caller.exchange(line);
      const turn = await caller.exchange('');
      expect(turn.prompt?.msg).toContain('MAIN MENU');
      return caller;
    }
    caller.destroy();
    await until(() => (inUse() === before ? true : undefined), 'the call on the wrong number gone');
  }
}

/** An event whose text is `msg`. */
const event = (msg: string) => (reply: JsonReply): boolean => reply.type === 'event' && reply.msg === msg;
const heardCount = (caller: JsonSocketClient, msg: string): number => caller.heard.filter(event(msg)).length;

describe('chat across two backends', () => {
  it('one caller chats and the other reads it: the backlog on entry, joins and leaves, /me and /who', async () => {
    const ann = await signedUp('bbs.10', 'ann');
    expect((await ann.exchange('C')).texts.join('\n')).toContain('You are in the chat room "main"');
    const seqBefore = (await ann.exchange('anyone here?')).prompt as { seq?: number } | undefined;

    const bob = await signedUp('bbs.11', 'bob');
    const joins = ann.heard.length;
    const entered = (await bob.exchange('C')).texts.join('\n');
    expect(entered).toMatch(/What was said in the last 10 minutes:\n\d\d:\d\d <ann> anyone here\?/);
    await ann.hears(event('-- bob joins the chat.'), joins);

    const said = ann.heard.length;
    await bob.exchange('hello ann');
    expect(await ann.hears(event('<bob> hello ann'), said)).toMatchObject({ type: 'event', kind: 'chat', from: 'bob', room: 'main', text: 'hello ann' });
    const did = bob.heard.length;
    const seqAfter = (await ann.exchange('/me waves')).prompt as { seq?: number } | undefined;
    await bob.hears(event('* ann waves'), did);
    // Two events came between ann's two lines; her prompts acknowledge her inputs only, one more.
    expect(seqAfter?.seq).toBe((seqBefore?.seq ?? -1) + 1);

    expect((await bob.exchange('/who')).texts.join('\n')).toContain('In the chat (2): ann, bob');
    expect((await bob.exchange('/dance')).texts.join('\n')).toContain('There is no /dance here: /me ACTION, /who or /quit.');

    const left = ann.heard.length;
    const menu = await bob.exchange('/quit');
    expect(menu.texts.join('\n')).toContain('You leave the chat.');
    expect(menu.prompt?.msg).toContain('MAIN MENU');
    await ann.hears(event('-- bob leaves the chat.'), left);
    // Each line reached the other caller once.
    expect(heardCount(ann, '<bob> hello ann')).toBe(1);
    expect(heardCount(bob, '* ann waves')).toBe(1);
  });

  it('a page reaches the caller on the other number at once; J joins the pager, X tells the pager, D refuses, offline is said', async () => {
    const ann = await signedUp('bbs.10', 'ann');
    const bob = await signedUp('bbs.11', 'bob');
    const carol = await signedUp('bbs.11', 'carol');
    carol.destroy();
    // Her hang-up reaches bbs.11 in its own time: page her once who's online no longer lists her.
    await until(async () => ((await ann.exchange('W')).texts.join('\n').includes('carol') ? undefined : true), 'carol off the list');

    await ann.exchange('P');
    expect((await ann.exchange('carol')).texts.join('\n')).toContain('carol is not online now.');

    const paged = bob.heard.length;
    await ann.exchange('P');
    expect((await ann.exchange('Bob')).texts.join('\n')).toContain('Paging bob.');
    // Bob sits at the main menu: the page comes between his prompts.
    await bob.hears(event('*** ann is paging you: J at the main menu joins them, X ignores the page.'), paged);
    const came = ann.heard.length;
    expect((await bob.exchange('J')).texts.join('\n')).toContain('You join ann in a private chat.');
    await ann.hears(event('-- bob joins the chat.'), came);
    const said = ann.heard.length;
    await bob.exchange('hi ann, just us');
    await ann.hears(event('<bob> hi ann, just us'), said);
    expect((await bob.exchange('/who')).texts.join('\n')).toContain('In the chat (2): ann, bob');
    await bob.exchange('/quit');
    await ann.exchange('/quit');

    await ann.exchange('P');
    const ignored = ann.heard.length;
    await ann.exchange('bob');
    expect((await bob.exchange('X')).texts.join('\n')).toContain("You ignore ann's page; they are told.");
    await ann.hears(event('*** bob ignored your page.'), ignored);
    await ann.exchange('/quit');

    expect((await bob.exchange('D')).texts.join('\n')).toContain('Do not disturb is on');
    await ann.exchange('P');
    expect((await ann.exchange('bob')).texts.join('\n')).toContain('bob does not want to be disturbed now.');
  });

  /**
   * Ann on bbs.10 and bob on bbs.11 (dialled, not named: a named call waits for its own number to
   * come back; a dialled one moves), both in the room, bob having heard ann's "before the crash".
   */
  async function chattingAcrossNumbers(): Promise<{ ann: JsonSocketClient; bob: JsonSocketClient; before: number }> {
    const ann = await signedUp('bbs.10', 'ann');
    const bob = await signedUp('bbs', 'bob', 'bbs.11');
    await ann.exchange('C');
    const joined = ann.heard.length;
    await bob.exchange('C');
    await ann.hears(event('-- bob joins the chat.'), joined);
    const before = bob.heard.length;
    await ann.exchange('before the crash');
    await bob.hears(event('<ann> before the crash'), before);
    return { ann, bob, before };
  }

  it('SIGKILL of one backend mid-chat: the other caller chats on; the killed one is back in the room after their next line, said once, and reads the next', async () => {
    const { ann, bob, before } = await chattingAcrossNumbers();

    const bbs11 = bbs.handlers[1];
    bbs11?.child.kill('SIGKILL');
    await bbs11?.exited;
    // Ann's chat goes on on bbs.10: she can still say lines (a prompt answers each).
    expect((await ann.exchange('is it quiet?')).prompt).toBeDefined();

    // Bob types a line: bbs.10 takes his call over at the listen, in the room.
    const back = ann.heard.length;
    bob.send("i am back");
    await ann.hears(event('<bob> i am back'), back);
    const next = bob.heard.length;
    await ann.exchange('welcome back');
    await bob.hears(event('<ann> welcome back'), next);
    expect(heardCount(ann, '<bob> i am back')).toBe(1);
    expect(bob.heard.slice(before).some((reply) => reply.msg.includes('MAIN MENU'))).toBe(false);

    const db = new Database(bbs.dbFile, { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM chat_lines WHERE body = 'i am back'").pluck().get()).toBe(1);
      expect(db.prepare("SELECT count(*) FROM journal WHERE kind = 'event'").pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('SIGKILL of one backend while its caller sits quietly in the room: moved with nothing typed, they get the notice and the prompt, then read the next line said', async () => {
    // Bob's flow now listens with his prompt under ann's line: his journal ends with that event.
    const { ann, bob, before } = await chattingAcrossNumbers();

    // Bob types nothing: the proxy moves his call and the next backend shows his prompt again.
    const moved = bob.heard.length;
    const bbs11 = bbs.handlers[1];
    bbs11?.child.kill('SIGKILL');
    await bbs11?.exited;
    await bob.hears((reply) => reply.type === 'notice' && /-- line moved to @bbs\.1\d --/.test(reply.msg), moved);
    const notice = bob.heard.findIndex((reply, i) => i >= moved && reply.type === 'notice');
    await bob.hears((reply) => reply.type === 'prompt', notice + 1);
    const next = bob.heard.length;
    await ann.exchange('after the move');
    await bob.hears(event('<ann> after the move'), next);
    expect(heardCount(bob, '<ann> before the crash')).toBe(1);
  });

  it('a broadcast published on the bus reaches every caller on both numbers at once, at a menu or in a room', async () => {
    const ann = await signedUp('bbs.10', 'ann');
    const bob = await signedUp('bbs.11', 'bob');
    await bob.exchange('C');
    // What issue 18's sysop command will do: publish on the device the backends use.
    const sysop = createEventBus({ spec: { in: bbs.bus.in, out: bbs.bus.out }, log: createLogger('silent') });
    try {
      await sysop.connected;
      const [annFrom, bobFrom] = [ann.heard.length, bob.heard.length];
      sysop.publish('broadcast/', { kind: 'broadcast', from: 'sysop', text: 'the board goes down at noon', at: new Date().toISOString() });
      const told = (reply: JsonReply): boolean => reply.type === 'event' && reply.msg.includes('the board goes down at noon');
      expect(await ann.hears(told, annFrom)).toMatchObject({ kind: 'broadcast', from: 'sysop', text: 'the board goes down at noon' });
      expect(await bob.hears(told, bobFrom)).toMatchObject({ kind: 'broadcast', from: 'sysop' });
      // Between prompts: both still answer where they were.
      expect((await ann.exchange('W')).texts.join('\n')).toMatch(/bob/);
      expect((await bob.exchange('/quit')).prompt?.msg).toContain('MAIN MENU');
      expect(ann.heard.filter(told)).toHaveLength(1);
    } finally {
      await sysop.close();
    }
  });

  it('a chat line carrying escapes, a clipboard write, a title, 0x9B, U+202E and <script> reaches a telnet caller and a JSON caller harmless, words intact', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    try {
      await telnet.signUpToMenu('tess', 'secret12');
      await telnet.type('C', 'You are in the chat room');
      const json = await signedUp('bbs.10', 'jay');
      await json.exchange('C');
      const mallory = await signedUp('bbs.11', 'mallory');
      await mallory.exchange('C');
      const fromByte = telnet.bytes.length;
      const fromText = telnet.text.length;
      const heard = json.heard.length;
      await mallory.exchange(INJECTION_LINE);

      const got = await json.hears((reply) => reply.type === 'event' && reply.msg.includes('inject-end'), heard);
      assertHarmless(got.msg);
      assertHarmless((got as { text?: string }).text ?? '');
      assertSurvives(got.msg);
      // The telnet door's own redraw of the input line is its escapes; what mallory wrote is between the markers.
      await telnet.waitFor('inject-end', fromText);
      const bytes = telnet.bytes.subarray(fromByte);
      const said = bytes.subarray(bytes.indexOf('inject-start'), bytes.indexOf('inject-end') + 'inject-end'.length);
      assertHarmless(said);
      assertSurvives(said.toString('utf8'));

      // The backlog a caller entering later is shown: the same line, harmless too.
      const late = await signedUp('bbs.10', 'lee');
      const backlog = (await late.exchange('C')).texts.join('\n');
      assertHarmless(backlog);
      assertSurvives(backlog);
    } finally {
      telnet.close();
    }
  });

  it('over telnet: a chat line and a page arriving while the caller has half a line typed show above it; the half line stays and is said whole', async () => {
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    try {
      await telnet.signUpToMenu('tess', 'secret12');
      await telnet.type('C', 'You are in the chat room');
      const ann = await signedUp('bbs.10', 'ann');
      await ann.exchange('C');
      telnet.sendRaw('half wo');
      await telnet.waitFor('half wo');
      const from = telnet.text.length;
      await ann.exchange('anyone here?');
      await telnet.waitFor(/<ann> anyone here\?.*\r\n.*> .*half wo$/, from);
      const said = ann.heard.length;
      await telnet.type('rld', '\n');
      await ann.hears(event('<tess> half world'), said);

      // Paged while typing at the main menu: the page above, the half line below it, still editable.
      await telnet.type('/quit', 'MAIN MENU');
      await ann.exchange('/quit');
      telnet.sendRaw('x');
      await telnet.waitFor(/MAIN MENU[^]*> \S*x$/);
      const paged = telnet.text.length;
      await ann.exchange('P');
      await ann.exchange('tess');
      await telnet.waitFor(/ann is paging you.*\r\n.*> .*x$/, paged);
      telnet.sendRaw('\x7f');
      expect(await telnet.type('J', 'You join ann in a private chat.')).toContain('You join ann');
    } finally {
      telnet.close();
    }
  });
});
