/**
 * Scale-out behind a real Mongrel2: two `m2bbs handler` processes on one send_spec, which
 * Mongrel2 deals round robin, so a caller's lines land on either. Twenty scripted JSON-socket
 * callers (numbered inputs, sent again after a silence) each hold a whole conversation: sign up,
 * post a message, read the board, mail themselves, quit. One handler is SIGKILLed once about half
 * of all inputs have been answered. Every conversation completes with the replies a caller
 * expects, and every write is in the database exactly once.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { mongrel2TestsRun } from './support/real-mongrel2.js';
import { SharedSendSpecRig } from './support/shared-send-spec.js';
import type { Turn } from './support/reply-queue.js';

const available = mongrel2TestsRun('the scale-out tests behind a real Mongrel2 are');
const CALLERS = 20;
const PASSWORD = 'scale-pw-1';
// Inputs of one whole conversation below, the board read in four pages at most.
const INPUTS_EACH = 17;
// Long enough that a slow answer (a sign-up's password hashing on a busy machine) is rarely sent
// again; a line lost with the killed handler waits this long.
const RESEND_AFTER_MS = 1500;

/** Every text and the prompt of a turn, as one string to search. */
function shown(turn: Turn): string {
  return [...turn.texts, turn.prompt?.pchar ?? ''].join('\n');
}

describe.runIf(available)('two handlers on one Mongrel2 send_spec', () => {
  const rig = new SharedSendSpecRig('m2bbs-scale-out-');
  const { handlers, callers } = rig;
  beforeEach(() => rig.start());
  afterEach(() => rig.stop());

  it('serves 20 whole conversations with one handler SIGKILLed halfway: every reply as expected, every write once', async () => {
    const server = await rig.startHandlers(2);

    // Counts answered inputs; the kill comes when half of all of them have been answered.
    let answered = 0;
    let halfway!: () => void;
    const half = new Promise<void>((resolve) => (halfway = resolve));
    const victim = handlers[0] as HandlerProcess;
    let victimKilled = false;
    const killed = half.then(() => {
      victimKilled = true;
      return victim.child.kill('SIGKILL');
    });

    async function conversation(i: number): Promise<void> {
      const name = `scaler${i}`;
      const caller = await JsonSocketClient.open(server.port, '@bbs', { numbered: true, resendAfterMs: RESEND_AFTER_MS });
      callers.push(caller);
      // What this caller typed and saw, for the failure message.
      const transcript: string[] = [];
      const say = async (line: string): Promise<Turn> => {
        const turn = await caller.exchange(line);
        transcript.push(`YOU: ${line}`, ...turn.texts.map((t) => `BBS: ${t}`), ...(turn.closed ? ['-- closed --'] : []));
        if (++answered === Math.floor((CALLERS * INPUTS_EACH) / 2)) halfway();
        return turn;
      };
      try {
        await script(name, say);
      } catch (error) {
        throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}\n${transcript.join('\n')}`, { cause: error });
      }
    }

    async function script(name: string, say: (line: string) => Promise<Turn>): Promise<void> {
      // Signing up answers what is asked (a password is hashed when typed, its hash journaled, so a
      // line that crosses to the other handler asks nothing again; the loop is only robust).
      let turn = await say('connect');
      for (let steps = 0; !(turn.prompt?.msg ?? '').includes('MAIN MENU'); steps++) {
        expect(turn.closed).toBe(false);
        expect(steps).toBeLessThan(12);
        const asked = turn.prompt?.msg ?? '';
        turn = await say(asked.includes("What's your name?") ? name : asked.includes('Sign up as') ? 'y' : /password/i.test(asked) ? PASSWORD : '');
      }

      expect((await say('1')).prompt?.pchar).toBe(' 1> ');
      expect((await say(`${name} says hello`)).prompt?.pchar).toBe(' 2> ');
      expect((await say(`and a second line from ${name}`)).prompt?.pchar).toBe(' 3> ');
      const posted = shown(await say('.'));
      expect(posted).toMatch(/Your message is on the board as number \d+\./);
      expect(posted).toContain('MAIN MENU');

      // The board, page after page, until the main menu: the caller's own message is on it.
      let board = await say('2');
      let read = shown(board);
      while (!(board.prompt?.msg ?? '').includes('MAIN MENU')) {
        expect(board.closed).toBe(false);
        board = await say('');
        read += shown(board);
      }
      expect(read).toContain(`${name} says hello\nand a second line from ${name}`);

      expect(shown(await say('3'))).toContain('Send to whom?');
      expect((await say(name)).prompt?.pchar).toBe(' 1> ');
      await say(`a note to myself, ${name}`);
      expect(shown(await say('.'))).toContain(`Sent to ${name}.`);

      // The goodbye goes out as the call ends: a handler killed in between loses it (the call is
      // over in the journal, so the quit sent again closes the line rather than starting anew).
      const killedBefore = victimKilled;
      const bye = await say('q');
      expect(bye.closed).toBe(true);
      if (!bye.texts.join('\n').includes(`Alright, see ya later, ${name}.`)) expect(!killedBefore && victimKilled, `goodbye missing without a kill: ${bye.texts.join('\n')}`).toBe(true);
    }

    await Promise.all(Array.from({ length: CALLERS }, (_, i) => conversation(i)));
    await killed;
    expect(await victim.exited).toBe(null);

    const db = new Database(rig.db, { readonly: true });
    try {
      const names = db.prepare('SELECT name FROM callers ORDER BY name').pluck().all() as string[];
      expect(names).toEqual(Array.from({ length: CALLERS }, (_, i) => `scaler${i}`).sort());
      const bodies = db.prepare('SELECT body FROM messages ORDER BY body').pluck().all() as string[];
      expect(bodies).toEqual(names.map((name) => `${name} says hello\nand a second line from ${name}`).sort());
      const mail = db.prepare('SELECT f.name AS sender, t.name AS recipient, m.body FROM mail m JOIN callers f ON f.id = m.from_id JOIN callers t ON t.id = m.to_id ORDER BY f.name').all();
      expect(mail).toEqual(names.map((name) => ({ sender: name, recipient: name, body: `a note to myself, ${name}` })));
    } finally {
      db.close();
    }
    // Mongrel2 dealt lines to both handlers: conversations moved between them, each move logged.
    const takeovers = handlers.flatMap((h) => h.records.filter((r) => r.msg === 'conversation taken over'));
    expect(takeovers.length).toBeGreaterThan(0);
  }, 55_000);

  it('names calls alike on both handlers after Mongrel2 restarts: the restart is counted once, and a new caller goes on across both', async () => {
    const server = await rig.startHandlers(2);
    // A caller before the restart, so both handlers have heard from this server.
    const signUp = async (name: string): Promise<JsonSocketClient> => {
      const caller = await JsonSocketClient.open(server.port, '@bbs', { numbered: true, resendAfterMs: RESEND_AFTER_MS });
      callers.push(caller);
      let turn = await caller.exchange('connect');
      for (let steps = 0; !(turn.prompt?.msg ?? '').includes('MAIN MENU'); steps++) {
        expect(turn.closed).toBe(false);
        expect(steps).toBeLessThan(12);
        const asked = turn.prompt?.msg ?? '';
        turn = await caller.exchange(asked.includes("What's your name?") ? name : asked.includes('Sign up as') ? 'y' : /password/i.test(asked) ? PASSWORD : '');
      }
      return caller;
    };
    const before = await signUp('earlybird');
    expect(handlers.every((h) => h.records.some((r) => r.msg === 'session opened' || r.msg === 'conversation taken over'))).toBe(true);

    await server.restart();
    await before.closedByServer();
    // Connection ids start again: this caller may get the id the one before had.
    const after = await signUp('latebird');
    expect((await after.exchange('1')).prompt?.pchar).toBe(' 1> ');
    expect((await after.exchange('after the restart')).prompt?.pchar).toBe(' 2> ');
    expect(shown(await after.exchange('.'))).toMatch(/Your message is on the board as number \d+\./);
    const bye = await after.exchange('q');
    expect(bye.texts.join('\n')).toContain('Alright, see ya later, latebird.');

    const db = new Database(rig.db, { readonly: true });
    try {
      expect(db.prepare('SELECT epoch FROM server_epochs').pluck().all()).toEqual([1]);
      expect(db.prepare('SELECT body FROM messages').pluck().all()).toEqual(['after the restart']);
    } finally {
      db.close();
    }
  }, 55_000);
});
