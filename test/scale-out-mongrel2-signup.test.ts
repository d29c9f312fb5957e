/**
 * Signing up behind a real Mongrel2 with two handlers on one send_spec, by a client that does not
 * number its inputs (the original client.py's way) and answers each prompt it is shown. Mongrel2 deals its
 * lines round robin, so the password and the `y` after it land on different handlers: the sign-up
 * must go through asking each thing once (a password is hashed when typed, its hash journaled),
 * never loop between "What's your password?" and "Sign up?".
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { mongrel2TestsRun } from './support/real-mongrel2.js';
import { SharedSendSpecRig } from './support/shared-send-spec.js';

const available = mongrel2TestsRun('the sign-up tests behind a real Mongrel2 are');
const PASSWORD = 'hop-pw-1';
const CALLERS = 3;

describe.runIf(available)('an unnumbered client signing up across two handlers on one Mongrel2 send_spec', () => {
  const rig = new SharedSendSpecRig('m2bbs-scale-signup-');
  const { handlers, callers } = rig;
  beforeEach(() => rig.start());
  afterEach(() => rig.stop());

  it('is asked name, password, "Sign up?" and the repeat once each, and is welcomed', async () => {
    const server = await rig.startHandlers(2);

    for (let i = 0; i < CALLERS; i++) {
      const name = `hopper${i}`;
      const caller = await JsonSocketClient.open(server.port, '@bbs');
      callers.push(caller);
      // Each line is answered by the next prompt, whichever handler takes it: a handler taking
      // the call over does not show the prompt the line answers again first (a client answering
      // every prompt it sees, as this one does, would answer that repeat too).
      let last = '';
      const seen: string[] = [];
      const asked = async (line: string): Promise<string> => {
        const turn = await caller.exchange(line);
        seen.push(...turn.texts);
        last = turn.prompt?.msg ?? '(no prompt)';
        return last;
      };
      expect(await asked('connect')).toContain("What's your name?");
      expect(await asked(name)).toContain("What's your password?");
      expect(await asked(PASSWORD)).toContain(`Sign up as ${name}?`);
      expect(await asked('y')).toBe('Type the same password again, to be sure.');
      await asked(PASSWORD);
      expect(seen.join('\n')).toContain(`Welcome aboard, ${name}!`);
      for (let more = 0; !last.includes('MAIN MENU'); more++) {
        expect(more).toBeLessThan(3);
        await asked('');
      }
      caller.send('Q');
      await caller.closedByServer();
    }

    const db = new Database(rig.db, { readonly: true });
    try {
      expect(db.prepare('SELECT name FROM callers ORDER BY name').pluck().all()).toEqual(Array.from({ length: CALLERS }, (_, i) => `hopper${i}`));
    } finally {
      db.close();
    }
    // The lines did cross between the handlers: the conversations were taken over.
    expect(handlers.flatMap((h) => h.records.filter((r) => r.msg === 'conversation taken over')).length).toBeGreaterThan(0);
  }, 40_000);
});
