import { describe, expect, it } from 'vitest';
import { readReply } from '../client/bbs-reply.js';

describe('readReply', () => {
  it('reads the reply vocabulary', () => {
    expect(readReply({ type: 'screen', msg: 'hi' })).toEqual({ type: 'screen', msg: 'hi' });
    expect(readReply({ type: 'prompt', msg: 'Name?', pchar: '> ' })).toEqual({ type: 'prompt', msg: 'Name?', pchar: '> ', echo: true });
    expect(readReply({ type: 'prompt', msg: 'Password?', pchar: '> ', echo: false })).toMatchObject({ echo: false });
    expect(readReply({ type: 'prompt' })).toEqual({ type: 'prompt', msg: '', pchar: '> ', echo: true });
    for (const type of ['notice', 'busy', 'exit'] as const) expect(readReply({ type, msg: 'x' })).toEqual({ type, msg: 'x' });
  });

  it('shows a reply of a type it does not know as a screen, if it has text', () => {
    expect(readReply({ type: 'banner', msg: 'new!' })).toEqual({ type: 'screen', msg: 'new!' });
    expect(readReply({ type: 'ping' })).toEqual({ problem: 'the BBS sent a "ping" reply, which this client does not know' });
  });

  it('describes what it cannot use', () => {
    expect(readReply('text')).toEqual({ problem: 'the BBS sent a string instead of a reply' });
    expect(readReply(null)).toEqual({ problem: 'the BBS sent null instead of a reply' });
    expect(readReply({ msg: 'x' })).toEqual({ problem: 'the BBS sent a reply without a type' });
    expect(readReply({ type: 'screen', msg: 42 })).toEqual({ problem: 'the BBS sent a "screen" reply whose msg is not text' });
  });
});
