/**
 * The area flows stepped in-process on a real in-memory SQLite: picking an area, replying with a
 * trimmed quote, the scan's answers; and the quote helpers on their own.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { keptLines, quoteLines } from '../handler/flows/quote.js';
import { TEST_LIMITS, createHarness, registerAtMenu } from './support/harness.js';

function boardWithAreas(): Store {
  const store = createStore(openDatabase(':memory:'));
  store.areas.reconcile([{ name: 'general', title: 'General' }, { name: 'tech', title: 'Tech talk' }]);
  return store;
}

describe('the quote of a reply', () => {
  it('re-wraps each line to fit with its "> ", keeps blank lines inside, and is cut to leave a line', () => {
    expect(quoteLines('one two three four\n\nfive', 10, 20)).toEqual(['> one two', '> three', '> four', '>', '> five']);
    expect(quoteLines('\n\nhello\n\n', 80, 20)).toEqual(['> hello']);
    expect(quoteLines('a\nb\nc', 80, 2)).toEqual(['> a', '> b']);
    expect(quoteLines('> earlier\nmine', 80, 20)).toEqual(['> > earlier', '> mine']);
  });

  it('keeps all, none, the first lines or a range, and says nothing to an answer it cannot read', () => {
    const quote = ['> a', '> b', '> c'];
    expect(keptLines(quote, '')).toEqual(quote);
    expect(keptLines(quote, 'Y')).toEqual(quote);
    expect(keptLines(quote, 'n')).toEqual([]);
    expect(keptLines(quote, '2')).toEqual(['> a', '> b']);
    expect(keptLines(quote, '2-3')).toEqual(['> b', '> c']);
    for (const bad of ['4', '0', '3-2', '1-4', 'some']) expect(keptLines(quote, bad)).toBeUndefined();
  });
});

describe('areas, stepped', () => {
  it('asks the area by number or name, says so for one that is not there, and Enter goes back', async () => {
    const h = createHarness({ store: boardWithAreas() });
    const c = await registerAtMenu(h, '1', 'ann', 'password1');
    expect((await c.say('1'))?.msg).toContain('Leave your message in which area?\n1. General\n2. Tech talk\n');
    await c.say('9');
    expect(c.replies.at(-2)?.msg).toBe('There is no area "9": type a number from 1 to 2, or the area\'s name.');
    expect((await c.say(''))?.msg).toContain('MAIN MENU');
    await c.say('1');
    expect(await c.say('TECH TALK')).toMatchObject({ type: 'prompt', pchar: ' 1> ' });
    await c.say('In tech.');
    await c.say('.');
    expect(c.transcript()).toContain('Your message is on the board as number 1.');
    expect(h.services.listAreas().map((a) => [a.name, a.messages])).toEqual([['general', 0], ['tech', 1]]);
    h.close();
  });

  it('replies to a message by its number with the lines the caller kept, asking again after a bad answer', async () => {
    const store = boardWithAreas();
    const h = createHarness({ store, limits: { ...TEST_LIMITS, pageSize: 1 } });
    const ann = (await h.services.register('ann', 'password1')).id;
    const tech = h.services.listAreas()[1]!.id;
    h.services.postToArea(tech, ann, 'first line\nsecond line\nthird line', null);
    h.services.postToArea(tech, ann, 'another', null);
    const c = await registerAtMenu(h, '2', 'bob', 'password1');
    expect((await c.say('2'))?.msg).toContain('Read which area?\n1. General (0)\n2. Tech talk (2, 2 new)\n');
    expect((await c.say('2'))?.msg).toContain('Enter for more, R to reply');
    expect((await c.say('R 99'))?.msg).toContain('Enter for more');
    expect(c.replies.at(-2)?.msg).toBe('There is no message #99 to reply to.');
    for (const wild of ['R 0', 'R 99999999999999999999']) {
      expect((await c.say(wild))?.msg).toContain('Enter for more');
      expect(c.replies.at(-2)?.msg).toMatch(/^There is no message #\d+ to reply to\.$/);
    }
    expect((await c.say('R 1'))?.msg).toContain(' 1> > first line\n 2> > second line\n 3> > third line\n');
    await c.say('5');
    expect(c.replies.at(-2)?.msg).toBe('Keep which lines? "5" is not 1 to 3: Enter for all, N for none, 2 or 2-3.');
    expect(await c.say('2-3')).toMatchObject({ type: 'prompt', pchar: ' 3> ' });
    expect(c.replies.at(-2)?.msg).toBe(' 1> > second line\n 2> > third line');
    await c.say('Agreed.');
    expect((await c.say('.'))?.msg).toContain('Enter for more');
    expect(c.replies.at(-2)?.msg).toBe('Your reply to #1 by ann is on the board as number 3.');
    expect(h.services.getMessage(3)).toMatchObject({ areaId: tech, replyTo: 1, replyToAuthor: 'ann', author: 'bob', body: '> second line\n> third line\nAgreed.' });
    // A reply with only the quote and nothing written says nothing: not posted.
    await c.say('R');
    await c.say('');
    expect((await c.say('.'))?.msg).toContain('Enter for more');
    expect(c.replies.at(-2)?.msg).toBe('Nothing written, nothing sent.');
    expect(h.services.getMessage(4)).toBeUndefined();
    h.close();
  });

  it('on a board of one area, the end of reading asks, and R replies to the last message shown', async () => {
    const h = createHarness();
    const ann = (await h.services.register('ann', 'password1')).id;
    const [general] = h.services.listAreas();
    h.services.postToArea(general!.id, ann, 'the only one', null);
    const c = await registerAtMenu(h, '4', 'dot', 'password1');
    const end = await c.say('2');
    expect(c.transcript()).toContain('--- #1 from ann');
    expect(end?.msg).toContain("That's all in General. R to reply (R 12");
    expect((await c.say('R'))?.msg).toContain(' 1> > the only one\n');
    await c.say('');
    await c.say('Me too.');
    expect((await c.say('.'))?.msg).toContain("That's all in General");
    expect(c.replies.at(-2)?.msg).toBe('Your reply to #1 by ann is on the board as number 2.');
    expect(h.services.getMessage(2)).toMatchObject({ replyTo: 1, author: 'dot', body: '> the only one\nMe too.' });
    expect((await c.say(''))?.msg).toContain('MAIN MENU');
    h.close();
  });

  it('refuses a post or reply in an area archived while the caller wrote, says so and shows the text; R to its messages finds none', async () => {
    const store = boardWithAreas();
    const h = createHarness({ store });
    const ann = (await h.services.register('ann', 'password1')).id;
    const tech = h.services.listAreas()[1]!.id;
    const first = h.services.postToArea(tech, ann, 'in tech', null)!;
    const c = await registerAtMenu(h, '5', 'eli', 'password1');
    await c.say('1');
    await c.say('tech');
    await c.say('Words to keep.');
    store.areas.reconcile([{ name: 'general', title: 'General' }]);
    expect((await c.say('.'))?.msg).toContain('MAIN MENU');
    expect(c.replies.slice(-3, -1).map((r) => r.msg)).toEqual([
      'Your message was NOT posted: the sysop closed its area while you were writing.',
      'This is what you wrote, so that it is not lost:\n\nWords to keep.',
    ]);
    expect(h.services.listAreas().map((a) => a.name)).toEqual(['general']);
    expect(store.areas.messages(tech, 0, 10).map((m) => m.body)).toEqual(['in tech']);

    // A reply begun before the area went: refused the same way; and R to one of its messages by number finds none.
    store.areas.reconcile([{ name: 'general', title: 'General' }, { name: 'tech', title: 'Tech talk' }]);
    await c.say('2');
    expect((await c.say('tech'))?.msg).toContain("That's all in Tech talk");
    await c.say('R');
    await c.say('n');
    await c.say('My reply.');
    store.areas.reconcile([{ name: 'general', title: 'General' }]);
    expect((await c.say('.'))?.msg).toContain("That's all in Tech talk");
    expect(c.replies.slice(-3, -1).map((r) => r.msg)).toEqual([
      'Your reply was NOT posted: the sysop closed its area while you were writing.',
      'This is what you wrote, so that it is not lost:\n\nMy reply.',
    ]);
    expect((await c.say(''))?.msg).toContain('MAIN MENU');
    h.services.postToArea(h.services.listAreas()[0]!.id, ann, 'in general', null);
    expect((await c.say('2'))?.msg).toContain("That's all in General");
    expect((await c.say(`R ${first}`))?.msg).toContain("That's all in General");
    expect(c.replies.at(-2)?.msg).toBe(`There is no message #${first} to reply to.`);
    expect(store.areas.messages(tech, 0, 10).map((m) => m.body)).toEqual(['in tech']);
    h.close();
  });

  it('scans area by area: n skips one, Q stops the scan, and a read area is not new again', async () => {
    const store = boardWithAreas();
    const h = createHarness({ store });
    const ann = (await h.services.register('ann', 'password1')).id;
    const [general, tech] = h.services.listAreas();
    h.services.postToArea(general!.id, ann, 'in general', null);
    h.services.postToArea(tech!.id, ann, 'in tech', null);
    const c = await registerAtMenu(h, '3', 'cy', 'password1');
    expect(c.transcript()).toContain('BBS| New: General 1, Tech talk 1\n');
    expect((await c.say('N'))?.msg).toBe('General: 1 new. Read them? (Y/n, Q to stop the scan)');
    expect((await c.say('n'))?.msg).toBe('Tech talk: 1 new. Read them? (Y/n, Q to stop the scan)');
    expect((await c.say('y'))?.msg).toContain("That's all in Tech talk");
    expect((await c.say(''))?.msg).toContain('MAIN MENU');
    expect((await c.say('N'))?.msg).toBe('General: 1 new. Read them? (Y/n, Q to stop the scan)');
    expect((await c.say('Q'))?.msg).toContain('MAIN MENU');
    expect(c.replies.at(-2)?.msg).toBe('-- End of the new-message scan. --');
    expect(h.services.newScan(h.services.findCaller('cy')!.id).map((a) => [a.name, a.unread])).toEqual([['general', 1], ['tech', 0]]);
    h.close();
  });
});
