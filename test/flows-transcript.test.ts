import { describe, expect, it } from 'vitest';
import { wrapText } from '../handler/text-wrap.js';
import { TEST_LIMITS, createHarness, registerAtMenu } from './support/harness.js';

// A fixed clock that ticks a minute per reading keeps dates in transcripts stable.
function fixedClock(): () => number {
  let t = Date.UTC(2026, 10, 22, 9, 0);
  return () => (t += 60_000);
}

describe('a whole call, as a transcript', () => {
  it('registers, posts, reads the board, mails, and the recipient reads the mail', async () => {
    const h = createHarness({ clock: fixedClock() });
    const alice = h.caller('10');
    await alice.dial();
    await alice.say('alice');
    await alice.say('correct horse');
    await alice.say('y');
    await alice.say('correct horse');
    await alice.say('');
    await alice.say('1');
    await alice.say('Hello from alice.');
    await alice.say('Second line.');
    await alice.say('.');
    await alice.say('2');
    await alice.say('');
    await alice.say('3');
    await alice.say('nobody');
    await alice.say('q');
    expect(alice.closed).toBe(true);

    const bob = await registerAtMenu(h, '11', 'bob', 'battery staple');
    await bob.say('3');
    await bob.say('ALICE');
    await bob.say('Hi alice, got your note.');
    await bob.say('.');
    await bob.say('Q');

    const back = h.caller('12');
    await back.dial();
    await back.say('Alice');
    await back.say('correct horse');
    await back.say('');
    await back.say('4');
    await back.say('4');
    await back.say('Q');

    await expect(alice.transcript()).toMatchFileSnapshot('transcripts/alice-first-call.txt');
    await expect(bob.transcript()).toMatchFileSnapshot('transcripts/bob-sends-mail.txt');
    await expect(back.transcript()).toMatchFileSnapshot('transcripts/alice-reads-mail.txt');
    h.close();
  });
});

describe('leaving a message', () => {
  it('says the limits up front, wraps an over-long line with a message, and stops at the line limit', async () => {
    const h = createHarness({ limits: { ...TEST_LIMITS, maxLines: 3, maxLineLength: 20 } });
    const c = await registerAtMenu(h, '20', 'dave', 'password1');
    const editor = await c.say('1');
    expect(c.replies.at(-2)?.msg).toBe(
      // A caller whose width nobody told has 80 columns.
      wrapText('Leave a message: up to 3 lines of up to 20 characters. A line with only a . on it ends the message.', 80),
    );
    expect(editor).toMatchObject({ type: 'prompt', pchar: ' 1> ' });
    const after = await c.say('this line is longer than twenty');
    expect(c.replies.at(-2)?.msg).toBe('That line was longer than 20 characters, so it now takes 2 lines.');
    expect(after).toMatchObject({ pchar: ' 3> ' });
    const dot = await c.say('last');
    expect(c.replies.at(-2)?.msg).toBe("That's 3 lines, as long as a message can be. Type a . alone on a line to end it.");
    expect(dot).toMatchObject({ type: 'prompt', pchar: ' .> ' });
    // A line past the end (pasted, say) is shown back, not read by the menu as a choice.
    await c.say('q');
    expect(c.replies.at(-2)?.msg).toBe('Not added, the message is full (3 lines): q\nType a . alone on a line to end the message.');
    await c.say('.');
    expect(c.transcript()).toContain('Your message is on the board as number 1.');
    expect(c.replies.at(-1)?.msg).toContain('MAIN MENU');
    const [message] = h.services.listMessages(0, 10);
    expect(message?.body).toBe('this line is longer\nthan twenty\nlast');
    h.close();
  });

  it('refuses a line that cannot fit in what is left, keeping the rest, and posts nothing for an empty message', async () => {
    const h = createHarness({ limits: { ...TEST_LIMITS, maxLines: 2, maxLineLength: 20 } });
    const c = await registerAtMenu(h, '21', 'erin', 'password1');
    await c.say('1');
    await c.say('first');
    await c.say('x'.repeat(45));
    expect(c.transcript()).toContain('That line is 45 characters, more than fits in the 1 lines left');
    await c.say('.');
    expect(h.services.listMessages(0, 10).map((m) => m.body)).toEqual(['first']);
    await c.say('1');
    await c.say('.');
    expect(c.transcript()).toContain('Nothing written, nothing sent.');
    expect(h.services.countMessages()).toBe(1);
    h.close();
  });

  it('strips terminal control sequences from what a caller writes', async () => {
    const h = createHarness();
    const c = await registerAtMenu(h, '22', 'mallory', 'password1');
    await c.say('1');
    await c.say('\u001b[2Jboo\u0007');
    await c.say('.');
    expect(h.services.listMessages(0, 1)[0]?.body).toBe('[2Jboo');
    h.close();
  });
});

describe('reading', () => {
  it('pages the board oldest first and stops on Q', async () => {
    const h = createHarness({ limits: { ...TEST_LIMITS, pageSize: 2 } });
    const author = (await h.services.register('writer', 'password1')).id;
    for (const n of [1, 2, 3, 4, 5]) h.services.postMessage(author, `message ${n}`);
    const c = await registerAtMenu(h, '30', 'reader', 'password1');
    const more = await c.say('2');
    expect(more?.msg).toBe('-- Enter for more, R to reply to the last one (R 12 for #12), Q to stop --');
    expect(c.transcript()).toMatch(/message 1[\s\S]*message 2/);
    expect(c.transcript()).not.toContain('message 3');
    await c.say('');
    expect(c.transcript()).toContain('message 4');
    const menu = await c.say('q');
    expect(menu?.msg).toContain('---(((MAIN MENU))---');
    expect(c.transcript()).not.toContain('message 5');
    h.close();
  });

  it('shows unread mail first and keeps mail after it is read', async () => {
    const h = createHarness();
    const to = await h.services.register('frank', 'password1');
    const from = await h.services.register('gina', 'password1');
    h.services.sendMail(from.id, to.id, 'old one');
    h.services.markMailRead(to.id, h.services.mailPage(to.id, undefined, Date.now(), 10).mails.map((m) => m.id));
    h.services.sendMail(from.id, to.id, 'new one');
    const c = h.caller('31');
    await c.dial();
    await c.say('frank');
    await c.say('password1');
    await c.say('');
    await c.say('4');
    const text = c.transcript();
    expect(text).toContain('New messages for you: 1 of 2');
    expect(text.indexOf('[NEW] from gina')).toBeLessThan(text.indexOf('[read] from gina'));
    expect(h.services.countUnreadMail(to.id)).toBe(0);
    expect(h.services.openInbox(to.id).total).toBe(2);
    h.close();
  });

  it('says so when mail goes to a caller who does not exist, and returns to the menu', async () => {
    const h = createHarness();
    const c = await registerAtMenu(h, '32', 'hal', 'password1');
    await c.say('3');
    const menu = await c.say('ghost');
    expect(c.transcript()).toContain('Nobody called ghost calls this board.');
    expect(menu?.msg).toContain('---(((MAIN MENU))---');
    h.close();
  });

  it('answers an unknown menu choice with menu_error, case-insensitive Q quits', async () => {
    const h = createHarness();
    const c = await registerAtMenu(h, '33', 'ivy', 'password1');
    await c.say('7');
    expect(c.transcript()).toContain('There\'s no choice "7" on this menu.');
    expect(await c.say('q')).toBeUndefined();
    expect(c.replies.at(-1)).toEqual({ type: 'exit', msg: 'Alright, see ya later, ivy.' });
    h.close();
  });

  it('says goodbye when the caller answers n at the MOTD', async () => {
    const h = createHarness();
    await h.services.register('jo', 'password1');
    const c = h.caller('34');
    await c.dial();
    await c.say('jo');
    const motd = await c.say('password1');
    expect(motd?.msg).toContain('Do you want to continue? (Y/n)');
    expect(await c.say('n')).toBeUndefined();
    expect(c.replies.at(-1)?.type).toBe('exit');
    expect(c.closed).toBe(true);
    h.close();
  });
});
