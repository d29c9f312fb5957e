/**
 * A conversation in chat taken over by another backend (in-process: two engines on one real
 * SQLite file, one real loop-back bus): where the caller's prompt is, what replay reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../handler/event-bus.js';
import { createLogger } from '../common/log.js';
import { ChatBackends, isEvent, tap } from './support/chat-backends.js';
import { registerAtMenu, SERVER_UUID } from './support/harness.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0);
const log = createLogger('silent');
const backends = new ChatBackends(() => T0);
afterEach(() => backends.close());

const PING = JSON.stringify({ type: 'ping' });

describe('a chat conversation moved with nothing typed', () => {
  it('taken over by a ping at a quiet listen (its last row an event) shows the prompt once, and later events only above it', async () => {
    const file = backends.board();
    const hub = createEventBus({ log });
    const busA = tap(hub);
    const a = backends.backend(file, 'A', busA);
    const b = backends.backend(file, 'B', tap(hub));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'secret1');
    const bob = await registerAtMenu(b.harness, '2', 'bob', 'secret2');
    await alice.say('C');
    const joined = alice.replyMatching(isEvent('-- bob joins the chat.'));
    await bob.say('C');
    await joined;
    // Alice's flow now listens quietly (her prompt is under the event): the journal ends with that event.
    const lastRow = (): string => b.db.prepare('SELECT kind FROM journal WHERE conversation = ? ORDER BY n DESC LIMIT 1').pluck().get(`m2/${SERVER_UUID}/0/1`) as string;
    expect(lastRow()).toBe('event');

    // Her backend dies; the proxy's mover asks the next one for her prompt with a ping.
    busA.cut();
    const moved = b.harness.caller('1', { RESUME: '1' });
    const prompted = moved.replyMatching((reply) => reply.type === 'prompt');
    moved.sendBody(PING);
    await prompted;
    // Two more lines from bob: shown above her prompt, which is not sent again each time.
    for (const line of ['one', 'two']) {
      const heard = moved.replyMatching(isEvent(`<bob> ${line}`));
      await bob.say(line);
      await heard;
    }
    expect(moved.replies.map((reply) => reply.type)).toEqual(['prompt', 'event', 'event']);
    // And she is in the room: her line reaches bob.
    const said = bob.replyMatching(isEvent('<alice> still here'));
    await moved.say('still here');
    await said;
  });
});
