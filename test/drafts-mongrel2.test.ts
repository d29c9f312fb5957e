/**
 * A draft behind a real Mongrel2 with two handlers on one send_spec: Mongrel2 deals a caller's
 * lines, and their hang-up, round robin, so the hang-up of a caller writing a message lands on a
 * handler that does not hold the call. The call is ended where it is held, as at a hang-up heard
 * there, and what the caller wrote is shown to them at their next call.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { mongrel2TestsRun } from './support/real-mongrel2.js';
import { SharedSendSpecRig } from './support/shared-send-spec.js';

const available = mongrel2TestsRun('the draft tests behind a real Mongrel2 are');
const PASSWORD = 'draft-pw-1';

describe.runIf(available)('a caller hanging up mid-message behind two handlers on one Mongrel2 send_spec', () => {
  const rig = new SharedSendSpecRig('m2bbs-drafts-m2-');
  const { handlers, callers } = rig;
  beforeEach(() => rig.start());
  afterEach(() => rig.stop());

  it('finds what they wrote at their next call, though the hang-up reached the handler not holding it', async () => {
    const server = await rig.startHandlers(2);
    // Answers each prompt until `until` shows in the prompt; what was shown, for the assertions.
    async function call(lines: readonly string[]): Promise<{ caller: JsonSocketClient; seen: string[] }> {
      const caller = await JsonSocketClient.open(server.port, '@bbs');
      callers.push(caller);
      const seen: string[] = [];
      for (const line of lines) {
        const turn = await caller.exchange(line);
        seen.push(...turn.texts, turn.prompt?.msg ?? '');
      }
      return { caller, seen };
    }
    const first = await call(['connect', 'drafter', PASSWORD, 'y', PASSWORD, '']);
    expect(first.seen.join('\n')).toContain('MAIN MENU');
    for (const line of ['1', 'Written across two handlers,', 'and not lost.']) await first.caller.exchange(line);
    first.caller.destroy();

    const db = new Database(rig.db, { readonly: true });
    try {
      await until(() => (db.prepare('SELECT count(*) FROM drafts').pluck().get() === 1 ? true : undefined), 'the draft kept', 10_000);
      expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
    const again = await call(['connect', 'drafter', PASSWORD, '']);
    expect(again.seen.join('\n')).toMatch(/so that it is not lost:\s+Written across two handlers,\s+and not lost\./);
    // Mongrel2 dealt the hang-up to the handler that did not take the last line: the holder ended the call on its order.
    const endedElsewhere = handlers.flatMap((h) => h.records.filter((r) => r.msg === 'line ended: its caller hung up where another process heard it'));
    expect(endedElsewhere).toHaveLength(1);
  }, 40_000);
});
