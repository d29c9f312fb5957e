import { describe, expect, it } from 'vitest';
import { decodeBbsMessage, decodeShownMessage, encodeBbsMessage, encodeEvent, encodePrompt, isEventBody } from '../common/bbs-messages.js';
import { ackOf, callerOf } from '../common/prompt-ack.js';

describe('the caller-facing vocabulary', () => {
  it('writes a prompt with its keys in wire order, which the byte-level prompt reader finds', () => {
    const body = encodePrompt({ msg: 'Name?', pchar: '> ', seq: 4, caller: 'zed', echo: false });
    expect(body).toBe('{"type":"prompt","seq":4,"caller":"zed","msg":"Name?","pchar":"> ","echo":false}');
    expect(ackOf(Buffer.from(body))).toBe(4);
    expect(callerOf(Buffer.from(body))).toBe('zed');
    expect(encodePrompt({ msg: '', pchar: ': ' })).toBe('{"type":"prompt","msg":"","pchar":": "}');
  });

  it('keeps the existing bodies of screen, exit, busy, notice and ping', () => {
    expect(encodeBbsMessage({ type: 'screen', msg: 'hi' })).toBe('{"type":"screen","msg":"hi"}');
    expect(encodeBbsMessage({ type: 'exit', msg: 'bye' })).toBe('{"type":"exit","msg":"bye"}');
    expect(encodeBbsMessage({ type: 'busy', msg: 'full' })).toBe('{"type":"busy","msg":"full"}');
    expect(encodeBbsMessage({ type: 'notice', msg: 'moved' })).toBe('{"type":"notice","msg":"moved"}');
    expect(encodeBbsMessage({ type: 'ping' })).toBe('{"type":"ping"}');
  });

  it('encodes an event with an ISO time and decodes it back', () => {
    const body = encodeEvent({ kind: 'chat', msg: '<zed> hello', from: 'zed', room: 'main', text: 'hello', at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });
    expect(body).toBe('{"type":"event","kind":"chat","msg":"<zed> hello","from":"zed","room":"main","text":"hello","at":"2026-01-02T03:04:05.000Z"}');
    expect(decodeBbsMessage(body)).toEqual({ type: 'event', kind: 'chat', msg: '<zed> hello', from: 'zed', room: 'main', text: 'hello', at: '2026-01-02T03:04:05.000Z' });
    expect(isEventBody(Buffer.from(body))).toBe(true);
    // The caller text it carries besides msg is display-safe, for clients that show it as it is.
    expect(decodeBbsMessage(encodeEvent({ kind: 'chat', msg: 'x', from: 'm\u202eal', text: 'hi \x1b[2J\x1b]0;t\x07', at: '' }))).toMatchObject({ from: 'mal', text: 'hi [2J]0;t' });
    expect(isEventBody(Buffer.from('{ "type" : "event", "kind": "page", "msg": "x", "at": "" }'))).toBe(true);
    expect(isEventBody(Buffer.from('{"type":"screen","msg":"an event"}'))).toBe(false);
  });

  it('decodes tolerantly and never throws', () => {
    expect(decodeBbsMessage('{"type":"prompt","msg":"x"}')).toEqual({ type: 'prompt', msg: 'x', pchar: '> ' });
    expect(decodeBbsMessage(Buffer.from('{"type":"screen"}'))).toEqual({ type: 'screen', msg: '' });
    expect(decodeBbsMessage('{"type":"event","kind":"future","msg":"m"}')).toEqual({ type: 'event', kind: 'notice', msg: 'm', at: '' });
    for (const bad of ['', 'nope', '[]', 'null', '{"type":"fax","msg":"x"}', '{"type":"screen","msg":3}', '{"toString":1}', '"prompt"']) {
      expect(decodeBbsMessage(bad)).toBeUndefined();
    }
  });

  it('shows a newer backend\'s message of an unknown type by its text, as a screen', () => {
    expect(decodeShownMessage('{"type":"banner","msg":"new!"}')).toEqual({ type: 'screen', msg: 'new!' });
    expect(decodeShownMessage('{"type":"banner"}')).toBeUndefined();
    expect(decodeShownMessage('{"type":"exit","msg":"bye"}')).toEqual({ type: 'exit', msg: 'bye' });
  });
});
