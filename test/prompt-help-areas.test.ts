/**
 * `?` and `H` at the prompts outside the menus (which area, the reading pages, the end of an area,
 * the new scan's "Read them?"), and what the end of an area says to an answer it cannot read.
 * Stepped in-process on a real in-memory SQLite, as a caller sees each reply.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { createStore, type Store } from '../db/store.js';
import { TEST_LIMITS, createHarness, registerAtMenu } from './support/harness.js';

function boardWithAreas(): Store {
  const store = createStore(openDatabase(':memory:'));
  store.areas.reconcile([{ name: 'general', title: 'General' }, { name: 'tech', title: 'Tech talk' }]);
  return store;
}

const AREA_HELP = 'Type the number in front of an area (1 to 2) or its name, then Enter.\nEnter alone goes back to the menu.';

describe('which area', () => {
  it('answers ? and H with what to type and asks again, not counting them as wrong answers', async () => {
    const h = createHarness({ store: boardWithAreas() });
    const c = await registerAtMenu(h, '1', 'ann', 'password1');
    await c.say('1');
    for (const help of ['?', 'H', 'h']) {
      expect((await c.say(help))?.msg).toContain('Leave your message in which area?');
      expect(c.replies.at(-2)?.msg).toBe(AREA_HELP);
    }
    await c.say('9');
    await c.say('?');
    await c.say('nine');
    expect((await c.say('tech'))).toMatchObject({ type: 'prompt', pchar: ' 1> ' });
    h.close();
  });

  it('says it goes back to the menu after three answers that name no area', async () => {
    const h = createHarness({ store: boardWithAreas() });
    const c = await registerAtMenu(h, '1', 'ann', 'password1');
    await c.say('2');
    await c.say('9');
    await c.say('P');
    expect((await c.say('R abc'))?.msg).toContain('MAIN MENU');
    expect(c.replies.slice(-3, -1).map((r) => r.msg)).toEqual([
      'There is no area "R abc": type a number from 1 to 2, or the area\'s name.',
      'No area picked after 3 tries: back to the menu.',
    ]);
    h.close();
  });
});

describe('reading an area', () => {
  it('answers ? and H with what the page prompt and the end prompt take, and asks again', async () => {
    const store = boardWithAreas();
    const h = createHarness({ store, limits: { ...TEST_LIMITS, pageSize: 1 } });
    const ann = (await h.services.register('ann', 'password1')).id;
    const tech = h.services.listAreas()[1]!.id;
    h.services.postToArea(tech, ann, 'first', null);
    h.services.postToArea(tech, ann, 'second', null);
    const c = await registerAtMenu(h, '2', 'bob', 'password1');
    await c.say('2');
    expect((await c.say('tech'))?.msg).toContain('Enter for more');
    expect((await c.say('?'))?.msg).toContain('Enter for more');
    expect(c.replies.at(-2)?.msg).toBe('Enter shows the next page. R replies to the last message shown (R 12: to #12).\nQ stops reading.');
    expect((await c.say(''))?.msg).toContain("That's all in Tech talk");
    expect((await c.say('H'))?.msg).toContain("That's all in Tech talk");
    expect(c.replies.at(-2)?.msg).toBe('That is the end of Tech talk. Enter goes on. Q stops.\nR replies to the last message shown (R 12: to #12).');
    expect((await c.say(''))?.msg).toContain('MAIN MENU');
    h.close();
  });

  it('answers what the end of an area cannot read with a clear line and the prompt again, and names a huge number as typed', async () => {
    const store = boardWithAreas();
    const h = createHarness({ store });
    const ann = (await h.services.register('ann', 'password1')).id;
    h.services.postToArea(h.services.listAreas()[1]!.id, ann, 'only', null);
    const c = await registerAtMenu(h, '2', 'bob', 'password1');
    await c.say('2');
    expect((await c.say('tech'))?.msg).toContain("That's all in Tech talk");
    for (const unclear of ['P', 'R abc', 'R 1.5', 'R 2 3']) {
      expect((await c.say(unclear))?.msg).toContain("That's all in Tech talk");
      expect(c.replies.at(-2)?.msg).toBe(`"${unclear}" is not an answer here.\nEnter goes on, R or R 12 replies, Q stops, ? explains.`);
    }
    expect((await c.say('R 0'))?.msg).toContain("That's all in Tech talk");
    expect(c.replies.at(-2)?.msg).toBe('There is no message #0 to reply to.');
    expect((await c.say('R 99999999999999999999999'))?.msg).toContain("That's all in Tech talk");
    expect(c.replies.at(-2)?.msg).toBe('There is no message #99999999999999999999999 to reply to.');
    expect((await c.say('q'))?.msg).toContain('MAIN MENU');
    h.close();
  });
});

describe('the new scan', () => {
  it('answers ? at "Read them?" with what each answer does, reads nothing and marks nothing read', async () => {
    const store = boardWithAreas();
    const h = createHarness({ store });
    const ann = (await h.services.register('ann', 'password1')).id;
    const [general, tech] = h.services.listAreas();
    const c = await registerAtMenu(h, '3', 'cy', 'password1');
    h.services.postToArea(general!.id, ann, 'news', null);
    h.services.postToArea(tech!.id, ann, 'more news', null);
    const cy = h.services.findCaller('cy')!.id;
    expect((await c.say('N'))?.msg).toBe('General: 1 new. Read them? (Y/n, Q to stop the scan)');
    for (const help of ['?', 'h']) {
      expect((await c.say(help))?.msg).toBe('General: 1 new. Read them? (Y/n, Q to stop the scan)');
      expect(c.replies.at(-2)?.msg).toBe('Y or Enter shows the 1 new in General, which are then marked read.\nN skips General (still new next time). Q stops the scan.');
    }
    expect(c.transcript()).not.toContain('--- #1 from ann');
    expect(h.services.newScan(cy).map((a) => [a.name, a.unread])).toEqual([['general', 1], ['tech', 1]]);
    expect((await c.say('n'))?.msg).toBe('Tech talk: 1 new. Read them? (Y/n, Q to stop the scan)');
    expect((await c.say('Q'))?.msg).toContain('MAIN MENU');
    expect(h.services.newScan(cy).map((a) => [a.name, a.unread])).toEqual([['general', 1], ['tech', 1]]);
    h.close();
  });
});
