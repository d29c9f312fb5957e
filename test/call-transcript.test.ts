/**
 * A call's transcript rebuilt from its journal (handler/call-transcript.ts, what `m2bbs sysop
 * replay` prints), in-process on a real SQLite file: a chat call shows the lines others said as
 * events between the caller's own, in order; a journal the screens no longer fit ends with a note.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { transcriptOf } from '../handler/call-transcript.js';
import { createEventBus } from '../handler/event-bus.js';
import { bbs } from '../handler/flows/bbs.js';
import { loadScreens } from '../handler/screens.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import type { Screens } from '../handler/screens.js';
import { ChatBackends, isEvent, tap } from './support/chat-backends.js';
import { registerAtMenu, SERVER_UUID, TEST_LIMITS } from './support/harness.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0);
const backends = new ChatBackends(() => T0);
afterEach(() => backends.close());

describe('a call transcript', () => {
  it('shows a chat as the caller saw it: the others\' lines as events between the caller\'s own, the password masked', async () => {
    const file = backends.board();
    const hub = createEventBus({ log: createLogger('silent') });
    const a = backends.backend(file, 'A', tap(hub));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'Alice-pass-1');
    const bob = await registerAtMenu(a.harness, '2', 'bob', 'Bob-pass-2');
    await alice.say('C');
    await bob.say('C');
    const heard = alice.replyMatching(isEvent('<bob> hello alice'));
    await bob.say('hello alice');
    await heard;
    await alice.say('hi bob');
    await alice.say('/quit');

    const history = a.store.journal.history(`m2/${SERVER_UUID}/0/1`);
    expect(history).toBeDefined();
    const screens = loadScreens(SHIPPED_SCREENS) as Screens;
    const entries = transcriptOf(history?.rows ?? [], screens, (start) => bbs(TEST_LIMITS, start));
    const texts = entries.map((entry) => `${entry.kind}: ${entry.text}`);
    const at = (what: string): number => texts.findIndex((text) => text.includes(what));
    expect(texts.filter((text) => text.startsWith('typed: ')).slice(0, 4)).toEqual(['typed: alice', 'typed: ***', 'typed: y', 'typed: ***']);
    expect(texts.join('\n')).not.toContain('Alice-pass-1');
    expect(at('event: <bob> hello alice')).toBeGreaterThan(at('typed: C'));
    expect(at('typed: hi bob')).toBeGreaterThan(at('event: <bob> hello alice'));
    expect(at('typed: /quit')).toBeGreaterThan(at('typed: hi bob'));
    expect(texts.at(-1)).toBe('note: the journal ends here');
  });

  it('ends with a note saying why when the screens no longer fit the rows', async () => {
    const file = backends.board();
    const hub = createEventBus({ log: createLogger('silent') });
    const a = backends.backend(file, 'A', tap(hub));
    const alice = await registerAtMenu(a.harness, '1', 'alice', 'Alice-pass-1');
    await alice.say('1');
    const history = a.store.journal.history(`m2/${SERVER_UUID}/0/1`);
    const shipped = loadScreens(SHIPPED_SCREENS) as Screens;
    // The same screens, but the main menu gone (a sysop removed it since the call).
    const changed: Screens = Object.assign(Object.create(Object.getPrototypeOf(shipped) as object) as Screens, shipped, { menu: () => undefined });
    const entries = transcriptOf(history?.rows ?? [], changed, (start) => bbs(TEST_LIMITS, start));
    expect(entries.at(-1)?.kind).toBe('note');
    expect(entries.at(-1)?.text).toContain('the rest cannot be shown');
  });
});
