/**
 * A hang-up heard by a process that does not hold the call (behind Mongrel2 every process takes
 * its turn): the presence row goes, the change names the number and caller the row said, and a
 * caller who was in the main chat room is said to leave it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { createEventBus } from '../handler/event-bus.js';
import { createPresence, PRESENCE_TOPIC, type Presence } from '../handler/presence.js';

const log = createLogger('silent');
const T0 = Date.UTC(2026, 10, 22, 9, 0);
let store: Store | undefined;
let presence: Presence | undefined;

afterEach(() => {
  presence?.stop();
  store?.close();
  presence = undefined;
  store = undefined;
});

describe('a call ended by a process that does not hold it', () => {
  it("says the holder's number and the caller's name, and the room hears the caller leave", async () => {
    store = createStore(openDatabase(':memory:'));
    const ann = store.createCaller('ann', 'not a real hash', T0);
    const bob = store.createCaller('bob', 'not a real hash', T0);
    store.presence.hold({ line: 'line-a', number: 'bbs.11', door: 'json', callerId: ann.id, name: 'ann', since: T0, doing: 'in chat', owner: 'bbs.11 pid 2' }, T0);
    store.presence.hold({ line: 'line-b', number: 'bbs.11', door: 'json', callerId: bob.id, name: 'bob', since: T0, doing: 'at the main menu', owner: 'bbs.11 pid 2' }, T0);
    const bus = createEventBus({ log });
    const heard: { topic: string; body: unknown }[] = [];
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    bus.onEvent((topic, body) => {
      if (topic === 'broadcast/') end();
      else heard.push({ topic, body });
    });
    // This process is bbs.10: the calls are bbs.11's.
    presence = createPresence({ store: store.presence, bus, number: 'bbs.10', owner: 'bbs.10 pid 1', log, now: () => T0 });
    presence.gone('line-a');
    presence.gone('line-b');
    presence.gone('line-never-seen');
    // The local bus delivers in order: one more event marks the end of what gone() published.
    bus.publish('broadcast/', { end: true });
    await ended;
    await bus.close();
    expect(heard).toEqual([
      { topic: PRESENCE_TOPIC, body: { change: 'off', line: 'line-a', number: 'bbs.11', name: 'ann', doing: 'in chat' } },
      { topic: 'chat/main/', body: { kind: 'leave', from: 'ann', room: 'main', at: new Date(T0).toISOString(), origin: 'line-a' } },
      { topic: PRESENCE_TOPIC, body: { change: 'off', line: 'line-b', number: 'bbs.11', name: 'bob', doing: 'at the main menu' } },
    ]);
    expect(store.presence.online(0)).toEqual([]);
  });
});
