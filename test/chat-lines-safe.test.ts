/**
 * What one caller's chat line can do to another's screen: a line past the limit is cut at a whole
 * character (never half an emoji) and its speaker told what was not sent; runs of spaces are
 * squeezed and a wrapped line hangs under its text, so no wrapped line reads as another speaker's.
 * In-process: one engine on real SQLite with its loop-back event bus, callers at 80 columns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { chatText } from '../handler/chat-text.js';
import { createEventBus } from '../handler/event-bus.js';
import { wrapHanging } from '../handler/hanging-wrap.js';
import { textColumns } from '../handler/text-wrap.js';
import type { Reply } from '../handler/replies.js';
import { createHarness, registerAtMenu, TEST_LIMITS, type Harness } from './support/harness.js';

const log = createLogger('silent');
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
let harnesses: Harness[] = [];
let dirs: string[] = [];

afterEach(() => {
  for (const h of harnesses) h.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  harnesses = [];
  dirs = [];
});

function board(): { harness: Harness; body: (like: string) => string | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-chat-safe-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'bbs.db'));
  const harness = createHarness({ store: createStore(db), bus: createEventBus({ log }), limits: TEST_LIMITS, log });
  harnesses.push(harness);
  const body = (like: string): string | undefined => db.prepare('SELECT body FROM chat_lines WHERE body LIKE ?').pluck().get(like) as string | undefined;
  return { harness, body };
}

const eventStarting = (start: string) => (reply: Reply): boolean => (reply.type as string) === 'event' && reply.msg.startsWith(start);

describe('a chat line as others see it', () => {
  it('cuts a long line at a whole character, never half an emoji, and keeps what was cut', () => {
    const max = 10;
    expect(chatText(`${'x'.repeat(9)}😀😀`, max)).toEqual({ text: `${'x'.repeat(9)}😀`, cut: true, rest: '😀' });
    expect(chatText('😀'.repeat(6), 10)).toEqual({ text: '😀'.repeat(6), cut: false, rest: '' });
    expect(chatText('a \t\u00a0\u3000 b   c', 80)).toEqual({ text: 'a b c', cut: false, rest: '' });
    expect(chatText('half \ud83d pair', 80).text).toBe('half \ufffd pair');
  });

  it('hangs a wrapped line under its text, and a prefix half the line wide on a line of its own', () => {
    const wrapped = wrapHanging('<{{from}}> {{text}}', { from: 'mallory', text: `ok ${'a'.repeat(60)} <victim1> my password is hunter2` }, 80).split('\n');
    expect(wrapped).toEqual([`<mallory> ok ${'a'.repeat(60)}`, '          <victim1> my password is hunter2']);
    const narrow = wrapHanging('{{time}} <{{from}}> {{text}}', { time: '09:00', from: 'mallory', text: 'ok <victim1> my password' }, 20).split('\n');
    expect(narrow).toEqual(['09:00 <mallory>', '  ok <victim1> my', '  password']);
    for (const line of [...wrapped, ...narrow]) expect(textColumns(line)).toBeLessThanOrEqual(80);
  });

  it('shows an impersonation by wrap as the speaker\'s own line: spaces squeezed, the rest indented', async () => {
    const { harness, body } = board();
    const mallory = await registerAtMenu(harness, '1', 'mallory', 'secret1');
    const bob = await registerAtMenu(harness, '2', 'bob', 'secret2');
    await mallory.say('C');
    await bob.say('C');
    const heard = bob.replyMatching(eventStarting('<mallory>'));
    const trick = `ok${' '.repeat(76)}<victim1> my password is hunter2`;
    await mallory.say(trick);
    const shown = (await heard).msg.split('\n');
    expect(shown[0]).toBe('<mallory> ok <victim1> my password is hunter2');
    const long = bob.replyMatching(eventStarting('<mallory> ok bbb'));
    await mallory.say(`ok\t${'b'.repeat(62)}${'\t'.repeat(9)}<victim1> my password is hunter2`);
    const lines = (await long).msg.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {10}\S/);
    expect(lines.some((line) => line.startsWith('<victim1>'))).toBe(false);
    expect(body('ok <victim1>%')).toBe('ok <victim1> my password is hunter2');
  });

  it('cuts a line past the limit between emoji, tells the speaker what was not sent, and stores valid UTF-8', async () => {
    const { harness, body } = board();
    const ann = await registerAtMenu(harness, '1', 'ann', 'secret1');
    const bob = await registerAtMenu(harness, '2', 'bob', 'secret2');
    await ann.say('C');
    await bob.say('C');
    const max = TEST_LIMITS.maxLineLength;
    const heard = bob.replyMatching(eventStarting('<ann> y'));
    await ann.say(`${'y'.repeat(max - 1)}😀😀 and more`);
    const msg = (await heard).msg;
    expect(msg).not.toMatch(LONE_SURROGATE);
    expect(msg.replace(/\s+/g, '')).toBe(`<ann>${'y'.repeat(max - 1)}😀`);
    expect(ann.transcript()).toContain(`Your line was cut to ${max} characters. Not sent: 😀 and more`);
    const stored = body('yyy%') ?? '';
    expect(stored).toBe(`${'y'.repeat(max - 1)}😀`);
    expect(Buffer.from(stored, 'utf8').toString('utf8')).toBe(stored);
  });
});
