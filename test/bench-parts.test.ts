import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isLoopback, parseBenchConfig } from '../bench/config.js';
import { checkWrites } from '../bench/failover-check.js';
import { FailoverWalk, type TaggedWrite } from '../bench/failover-walk.js';
import { openDatabase } from '../db/open-database.js';
import { hashPassword } from '../db/password.js';
import { createStore } from '../db/store.js';
import { ReplyStream, type JsonReply } from '../bench/reply-stream.js';
import { Samples } from '../bench/samples.js';
import { classify, Walk } from '../bench/walk.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

function read(stream: ReplyStream, ...chunks: string[]): { replies: JsonReply[]; errors: string[] } {
  const replies: JsonReply[] = [];
  const errors: string[] = [];
  for (const chunk of chunks) stream.push(Buffer.from(chunk, 'latin1'), (r) => replies.push(r), (e) => errors.push(e));
  return { replies, errors };
}

describe('bench reply stream', () => {
  it('reads NUL-framed replies split anywhere, before and after it switches to its fast path', () => {
    const one = `${b64({ type: 'screen', msg: 'Welcome' })}\0`;
    const two = `${b64({ type: 'prompt', msg: 'Name?', pchar: '> ' })}\0`;
    const { replies, errors } = read(new ReplyStream(), one, two.slice(0, 5), two.slice(5), one + two);
    expect(errors).toEqual([]);
    expect(replies.map((r) => r.type)).toEqual(['screen', 'prompt', 'screen', 'prompt']);
  });

  it('reads replies glued together without NULs, as Mongrel2 1.8 sends them', () => {
    const glued = b64({ type: 'screen', msg: 'a' }) + b64({ type: 'prompt', msg: 'b', pchar: '> ' });
    const { replies, errors } = read(new ReplyStream(), glued.slice(0, 7), glued.slice(7));
    expect(errors).toEqual([]);
    expect(replies.map((r) => r.msg)).toEqual(['a', 'b']);
  });

  it('reads a long run of glued replies split at every length, padded or not, as the same replies', () => {
    const sent = [
      { type: 'screen', msg: 'a' },
      { type: 'screen', msg: 'ab' },
      { type: 'prompt', msg: 'abc}{"x', pchar: '> ' },
      { type: 'screen', msg: 'héllo wörld, ünïcode' },
      { type: 'screen', msg: 'abcd' },
      { type: 'prompt', msg: 'end', pchar: '> ' },
    ];
    const glued = sent.map(b64).join('');
    for (let size = 1; size <= 40; size++) {
      const chunks = Array.from({ length: Math.ceil(glued.length / size) }, (_, i) => glued.slice(i * size, (i + 1) * size));
      const { replies, errors } = read(new ReplyStream(), b64({ type: 'screen', msg: 'first' }), ...chunks);
      expect(errors).toEqual([]);
      expect(replies.slice(1)).toEqual(sent);
    }
  });

  it('reports an HTTP error answer instead of a reply', () => {
    const { replies, errors } = read(new ReplyStream(), 'HTTP/1.1 404 Not Found\r\n\r\nNot Found');
    expect(replies).toEqual([]);
    expect(errors[0]).toContain('HTTP/1.1 404 Not Found');
  });
});

describe('bench walk', () => {
  it('recognises each prompt of the conversation, as JSON text and as telnet screen text', () => {
    expect(classify({ text: "What's your name? (new callers: pick one)\n> ", echo: true })).toBe('name');
    expect(classify({ text: "What's your password?\n> ", echo: false })).toBe('password');
    expect(classify({ text: 'There is no caller named x here yet. Sign up as x? (Y/n)\n> ', echo: true })).toBe('sign-up');
    expect(classify({ text: 'Type the same password again, to be sure.\n> ', echo: false })).toBe('repeat-password');
    expect(classify({ text: 'MOTD: Hello\n\nDo you want to continue? (Y/n)\n> ', echo: true })).toBe('motd');
    expect(classify({ text: 'Your message is on the board\r\n---(((MAIN MENU))---\r\n1. Leave\r\n> ', echo: undefined })).toBe('menu');
    expect(classify({ text: 'bench line\r\n 2> ', echo: undefined })).toBe('compose');
    expect(classify({ text: '-- Enter for more, Q to stop --\n> ', echo: true })).toBe('more');
    expect(classify({ text: "-- That's all in General. R to reply (R 12 for #12), Enter to go on --\n> ", echo: true })).toBe('more');
    expect(classify({ text: 'Send to whom? (their name, or Enter to go back)\n> ', echo: true })).toBe('mail-to');
  });

  it('walks the menu: read, post two lines, read, read mail, send mail', () => {
    const walk = new Walk('bench1', 'secret-pass', 'bench2', 0);
    const typed = ['menu', 'more', 'more', 'menu', 'compose', 'compose', 'compose', 'menu', 'menu', 'menu', 'mail-to', 'compose', 'compose'] as const;
    expect(typed.map((kind) => walk.answer(kind))).toEqual(['2', '', 'q', '1', 'bench line 2 from bench1, typed at the board', 'bench line 1 from bench1, typed at the board', '.', '2', '4', '3', 'bench2', 'bench line 1 from bench1, typed at the board', '.']);
  });
});

describe('bench settings', () => {
  it('only calls loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['10.0.0.1', '0.0.0.0', '::', 'example.com', '128.0.0.1', '::2']) expect(isLoopback(host), host).toBe(false);
    expect(() => parseBenchConfig(['--target', 'example.com:6767'])).toThrow('example.com is not this machine');
    expect(() => parseBenchConfig(['--target', '[::1]:6767', '--door', 'telnet'])).toThrow('--door telnet with --target needs --telnet-target');
  });

  it('takes a scenario preset and lets flags override it', () => {
    expect(parseBenchConfig(['--scenario', 'connected'])).toMatchObject({ callers: 10_000, thinkMs: 3000, backends: 2 });
    expect(parseBenchConfig(['--scenario', 'throughput', '--callers', '10'])).toMatchObject({ callers: 10, thinkMs: 0 });
    expect(parseBenchConfig(['--sessions', '500'])).toMatchObject({ scenario: 'suspended', sessions: 500 });
  });
});

describe('bench samples', () => {
  it('gives exact nearest-rank percentiles', () => {
    const samples = new Samples();
    for (let i = 100; i >= 1; i--) samples.add(i);
    expect(samples.summary()).toMatchObject({ count: 100, p50: 50, p99: 99, max: 100, mean: 50.5 });
  });
});

describe('failover soak: its walk and what it finds in the database', () => {
  it('tags every line of a post and a mail, and counts a write finished when told so or back at the menu', () => {
    const walk = new FailoverWalk('ann', 'secret-pw', 'bob', 'f1x', 1);
    expect(walk.answer('menu')).toBe('1');
    expect([walk.answer('compose'), walk.answer('compose'), walk.answer('compose'), walk.answer('compose')]).toEqual([
      'f1xp0 line 1 of 3 from ann',
      'f1xp0 line 2 of 3 from ann',
      'f1xp0 line 3 of 3 from ann',
      '.',
    ]);
    walk.shown('Your message is on the board as number 7.');
    expect(walk.writes).toEqual([{ kind: 'post', tag: 'f1xp0', ended: true, finished: true, refused: false }]);
    expect(walk.answer('menu')).toBe('2');
    expect(walk.answer('menu')).toBe('4');
    expect(walk.answer('menu')).toBe('3');
    expect(walk.answer('mail-to')).toBe('bob');
    expect([walk.answer('compose'), walk.answer('compose'), walk.answer('compose')]).toEqual(['f1xm1 line 1 of 2 from ann', 'f1xm1 line 2 of 2 from ann', '.']);
    // The confirmation was lost with the backend; the menu after the `.` still means it is over.
    expect(walk.writes[1]?.finished).toBe(false);
    walk.answer('menu');
    expect(walk.writes[1]).toMatchObject({ kind: 'mail', finished: true });
  });

  it('reports a write told stored but missing as lost, one stored twice as doubled, one cut off as neither', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-failover-check-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bbs.db');
    const store = createStore(openDatabase(file));
    const ann = store.createCaller('ann', await hashPassword('secret-pw', { N: 16, r: 1, p: 1 }), Date.now()).id;
    const bob = store.createCaller('bob', await hashPassword('secret-pw', { N: 16, r: 1, p: 1 }), Date.now()).id;
    const body = (tag: string): string => `${tag} line 1 of 2 from ann\n${tag} line 2 of 2 from ann`;
    store.postMessage(ann, body('f0xp0'), Date.now());
    store.postMessage(ann, body('f0xp1'), Date.now());
    store.postMessage(ann, body('f0xp1'), Date.now());
    store.mail.send(ann, bob, body('f0xm2'), Date.now());
    store.close();
    const write = (kind: 'post' | 'mail', tag: string, finished: boolean): TaggedWrite => ({ kind, tag, ended: true, finished, refused: false });
    const check = checkWrites(file, [write('post', 'f0xp0', true), write('post', 'f0xp1', true), write('mail', 'f0xm2', true), write('mail', 'f0xm3', true), write('post', 'f0xp4', false)]);
    expect(check).toMatchObject({ finished: 4, stored: 2, lost: 1, doubled: 1, unfinished: 1, lostTags: ['f0xm3'], doubledTags: ['f0xp1 x2'] });
  });
});
