import { describe, expect, it } from 'vitest';
import { BbsError } from '../common/errors.js';
import type { Caller } from '../db/store.js';
import { makeKit } from '../handler/screen-flow.js';
import { loadScreenSet } from '../handler/screens.js';
import oneliners, { screens as onelinerScreens } from '../screens/flows/oneliners.js';
import { TEST_LIMITS, createHarness, registerAtMenu } from './support/harness.js';
import { screenFolder } from './support/screen-folder.js';

const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';

describe('the one-liner wall (screens/flows/oneliners.ts)', () => {
  it('shows the wall, keeps each line through a service, and shows it to the next caller', async () => {
    const folder = screenFolder();
    folder.write('main.menu', 'title: MAIN MENU\n1. Leave a message. -> leave_message\nO. The one-liner wall. -> flow oneliners\nQ. Quit the BBS. -> quit\n');
    const set = await loadScreenSet(folder.dir);
    const h = createHarness({ screens: () => set });
    const amy = await registerAtMenu(h, '1', 'amy', 'password1');
    expect(amy.replies.at(-1)?.msg).toContain('O. The one-liner wall.');
    const ask = await amy.say('o');
    expect(amy.replies.at(-2)?.msg).toBe(`${CYAN}---((( THE ONE-LINER WALL )))---${RESET}\nNobody has written on the wall yet.`);
    expect(ask?.msg).toBe('Add your line (up to 60 characters), or Enter to leave the wall alone:');
    await amy.say('First!');
    expect(amy.replies.at(-2)?.msg).toBe('\x1b[32mYour line is on the wall.\x1b[0m');
    expect(amy.replies.at(-1)?.msg).toContain('MAIN MENU');

    const bob = await registerAtMenu(h, '2', 'bob', 'password1');
    await bob.say('O');
    expect(bob.replies.at(-2)?.msg).toBe(`${CYAN}---((( THE ONE-LINER WALL )))---${RESET}\namy          First!\n${CYAN}-- the last 1 lines --${RESET}`);
    // Too long: shown back whole and asked again, never cut short without a word.
    const again = await bob.say(`${'x'.repeat(59)}yz`);
    expect(bob.replies.at(-2)?.msg).toBe(`That line is longer than 60 characters, so it is not on the wall. You wrote:\n${'x'.repeat(59)}yz`);
    expect(again?.msg).toBe('Add your line (up to 60 characters), or Enter to leave the wall alone:');
    await bob.say('x'.repeat(60));
    await bob.say('O');
    expect(bob.replies.at(-2)?.msg).toContain(`bob          ${'x'.repeat(60)}\n`);
    await bob.say('');
    expect(bob.replies.at(-1)?.msg).toContain('MAIN MENU');
    expect(h.services.wallRecent('oneliners', 10).map((line) => [line.author, line.body])).toEqual([['amy', 'First!'], ['bob', 'x'.repeat(60)]]);
    h.close();
  });

  it('keeps walls apart and gives the last lines of one, oldest first', async () => {
    const h = createHarness();
    const amy = await h.services.register('amy', 'password1');
    for (let i = 1; i <= 12; i++) h.services.wallPost('oneliners', amy.id, `line ${i}`);
    h.services.wallPost('guestbook', amy.id, 'signed');
    expect(h.services.wallRecent('oneliners', 10).map((line) => line.body)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 3}`));
    expect(h.services.wallRecent('guestbook', 10)).toEqual([expect.objectContaining({ author: 'amy', body: 'signed' })]);
    expect(() => h.services.wallPost('Bad Wall', amy.id, 'x')).toThrow(RangeError);
    expect(() => h.services.wallPost('oneliners', 999, 'x')).toThrow(RangeError);
    h.close();
  });

  it('is a flow of effects: stepped by hand, it asks for the wall, shows it and stores the line', () => {
    const caller: Caller = { id: 7, name: 'zed', createdAt: 0, lastCallAt: null, calls: 3 };
    expect(Object.keys(onelinerScreens)).toEqual(['oneliners', 'oneliners_empty', 'oneliners_ask', 'oneliners_added', 'oneliners_too_long', 'oneliners_not_saved', 'oneliners_limit']);
    const flow = oneliners(makeKit(caller, TEST_LIMITS));
    expect(flow.next().value).toEqual({ kind: 'call', service: 'wallRecent', args: ['oneliners', 10] });
    expect(flow.next([{ id: 1, author: 'amy', body: 'hi', createdAt: 0 }]).value).toEqual({
      kind: 'show',
      screen: 'oneliners',
      vars: { lines: 'amy          hi', count: 1 },
      final: false,
    });
    expect(flow.next().value).toEqual({ kind: 'call', service: 'writingWait', args: [7, TEST_LIMITS.writesPerHour] });
    expect(flow.next(0).value).toMatchObject({ kind: 'ask', screen: 'oneliners_ask', vars: { max: 60 } });
    expect(flow.next('  hello  ').value).toEqual({ kind: 'call', service: 'wallPost', args: ['oneliners', 7, 'hello'] });
    expect(flow.next(2).value).toMatchObject({ kind: 'show', screen: 'oneliners_added' });
    expect(flow.next().done).toBe(true);
  });

  it('a line the board could not store is shown back, not announced as on the wall', () => {
    const caller: Caller = { id: 7, name: 'zed', createdAt: 0, lastCallAt: null, calls: 3 };
    const flow = oneliners(makeKit(caller, TEST_LIMITS));
    flow.next();
    flow.next([]);
    flow.next();
    flow.next(0);
    expect(flow.next('my line').value).toMatchObject({ kind: 'call', service: 'wallPost' });
    const full = new BbsError('BBS_ERR_DB_FULL', 'A wall line was not stored: full');
    expect(flow.throw(full).value).toEqual({ kind: 'show', screen: 'oneliners_not_saved', vars: { line: 'my line' }, final: false });
    expect(flow.next().done).toBe(true);
  });

  it('a caller past the writing limit is told when they may add a line, before typing it', () => {
    const caller: Caller = { id: 7, name: 'zed', createdAt: 0, lastCallAt: null, calls: 3 };
    const flow = oneliners(makeKit(caller, { ...TEST_LIMITS, writesPerHour: 4 }));
    flow.next();
    flow.next([]);
    expect(flow.next().value).toEqual({ kind: 'call', service: 'writingWait', args: [7, 4] });
    expect(flow.next(17).value).toEqual({ kind: 'show', screen: 'oneliners_limit', vars: { limit: 4, minutes: 17 }, final: false });
    expect(flow.next().done).toBe(true);
  });
});
