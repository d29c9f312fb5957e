/**
 * Typed-ahead numbered inputs behind a real Mongrel2 with two handlers on one send_spec. Mongrel2
 * deals the lines of a paste round robin, so input N+1 may reach one handler before input N is
 * read by the other: it must wait for it, never run first, never be lost or run twice. A numbered
 * client signs up, then pastes a whole message (`1`, three lines, `.`) several times without
 * waiting for a prompt: every post is on the board whole, in order, once.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { mongrel2TestsRun } from './support/real-mongrel2.js';
import { SharedSendSpecRig } from './support/shared-send-spec.js';

const available = mongrel2TestsRun('the line-order tests behind a real Mongrel2 are');
const PASSWORD = 'order-pw-1';
const ROUNDS = 6;
const RESEND_AFTER_MS = 1500;

const bodyOf = (round: number): string[] => [`round ${round} line a`, `round ${round} line b`, `round ${round} line c`];

describe.runIf(available)('a numbered client pasting ahead across two handlers on one Mongrel2 send_spec', () => {
  const rig = new SharedSendSpecRig('m2bbs-scale-order-');
  const { handlers, callers } = rig;
  beforeEach(() => rig.start());
  afterEach(() => rig.stop());

  it('gets every pasted post whole, in order, once', async () => {
    const server = await rig.startHandlers(2);
    const caller = await JsonSocketClient.open(server.port, '@bbs', { numbered: true, resendAfterMs: RESEND_AFTER_MS });
    callers.push(caller);

    let turn = await caller.exchange('connect');
    for (let steps = 0; !(turn.prompt?.msg ?? '').includes('MAIN MENU'); steps++) {
      expect(turn.closed).toBe(false);
      expect(steps).toBeLessThan(8);
      const asked = turn.prompt?.msg ?? '';
      turn = await caller.exchange(asked.includes("What's your name?") ? 'paster' : asked.includes('Sign up as') ? 'y' : /password/i.test(asked) ? PASSWORD : '');
    }

    for (let round = 0; round < ROUNDS; round++) {
      // The whole message at once, as a paste: nothing waits for a prompt in between.
      for (const line of ['1', ...bodyOf(round), '.']) caller.send(line);
      const answered = await caller.untilPrompt();
      expect(answered.closed).toBe(false);
      expect(answered.texts.join('\n')).toMatch(/Your message is on the board as number \d+\./);
      expect(answered.prompt?.msg).toContain('MAIN MENU');
    }

    const db = new Database(rig.db, { readonly: true });
    try {
      expect(db.prepare('SELECT body FROM messages ORDER BY id').pluck().all()).toEqual(Array.from({ length: ROUNDS }, (_, round) => bodyOf(round).join('\n')));
    } finally {
      db.close();
    }
  }, 50_000);
});
