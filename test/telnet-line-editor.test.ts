/** The telnet door's line editor, pure: bytes in, what to echo and the line at Enter out. */
import { describe, expect, it } from 'vitest';
import { MAX_CONTROL_RUN, TelnetLineEditor } from '../server/doors/telnet-line-editor.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('TelnetLineEditor', () => {
  it('keeps UTF-8 split across writes, echoes each whole character, and gives the line at Enter', () => {
    const editor = new TelnetLineEditor(100);
    const word = Buffer.from('héllo', 'utf8');
    expect(editor.feed(word.subarray(0, 2))).toEqual({ echo: 'h' });
    expect(editor.feed(word.subarray(2))).toEqual({ echo: 'éllo' });
    expect(editor.text).toBe('héllo');
    expect(editor.take()).toEqual({ line: 'héllo' });
    expect(editor.text).toBe('');
  });

  it('erases characters (not bytes) and the whole line on Ctrl-U, skipping arrow keys', () => {
    const editor = new TelnetLineEditor(100);
    expect(editor.feed(Buffer.from('añb', 'utf8'))).toEqual({ echo: 'añb' });
    expect(editor.erase(2)).toBe('\b \b\b \b');
    expect(editor.feed(bytes('\x1b[Ac\x1bOBd'))).toEqual({ echo: 'cd' });
    expect(editor.feed(bytes('xy\x15z'))).toEqual({ echo: `xy${'\b \b'.repeat(5)}z` });
    expect(editor.take()).toEqual({ line: 'z' });
    expect(editor.erase(1)).toBe('');
  });

  it('deletes the last word on Ctrl-W (spaces before it too), as the page and m2bbs dial do', () => {
    const editor = new TelnetLineEditor(100);
    expect(editor.feed(Buffer.from('say héllo  ', 'utf8'))).toEqual({ echo: 'say héllo  ' });
    expect(editor.feed(bytes('\x17'))).toEqual({ echo: '\b \b'.repeat(7) });
    expect(editor.text).toBe('say ');
    expect(editor.feed(bytes('hi\x17\x17there'))).toEqual({ echo: `hi${'\b \b'.repeat(2)}${'\b \b'.repeat(4)}there` });
    expect(editor.take()).toEqual({ line: 'there' });
    expect(editor.feed(bytes('\x17'))).toEqual({ echo: '' });
  });

  it('erases whole characters outside the BMP, and keeps the line limit right after a burst of Ctrl-W over a long word', () => {
    const editor = new TelnetLineEditor(100);
    expect(editor.feed(Buffer.from('go 🚀🚀 now', 'utf8')).echo).toBe('go 🚀🚀 now');
    expect(editor.erase(5)).toBe('\b \b'.repeat(5));
    expect(editor.text).toBe('go 🚀');
    expect(editor.feed(bytes('\x17'))).toEqual({ echo: '\b \b' });
    expect(editor.feed(bytes('\x17'))).toEqual({ echo: '\b \b'.repeat(3) });
    expect(editor.text).toBe('');
    // A hostile tester's burst: a 4 KB word, a space, then "b" and Ctrl-W a thousand times.
    const long = new TelnetLineEditor(4096);
    const burst = long.feed(Buffer.concat([bytes('a'.repeat(4090) + ' '), bytes('b\x17'.repeat(1000))]));
    expect(burst.refused).toBeUndefined();
    expect(long.text).toBe('a'.repeat(4090) + ' ');
    // What was erased no longer counts: five more bytes fit the 4,096, a sixth does not.
    expect(long.feed(bytes('12345')).refused).toBeUndefined();
    expect(long.feed(bytes('6'))).toEqual({ echo: '' });
    expect(long.take()).toEqual({ tooLong: 4096 });
  });

  it('ignores other control keys (Ctrl-A, Ctrl-C, Ctrl-Z...) with a bell and keeps the half-typed line', () => {
    const editor = new TelnetLineEditor(100);
    expect(editor.feed(bytes('my half-written\x01\x03'))).toEqual({ echo: 'my half-written\x07\x07' });
    expect(editor.feed(bytes('\x1a message'))).toEqual({ echo: '\x07 message' });
    expect(editor.take()).toEqual({ line: 'my half-written message' });
  });

  it(`refuses more than ${MAX_CONTROL_RUN} control bytes in a row (binary data), counting across writes`, () => {
    const editor = new TelnetLineEditor(100);
    expect(editor.feed(bytes('a' + '\x03'.repeat(MAX_CONTROL_RUN) + 'b')).refused).toBeUndefined();
    expect(editor.feed(bytes('\x02'.repeat(MAX_CONTROL_RUN))).refused).toBeUndefined();
    expect(editor.feed(bytes('\x02'))).toEqual({ echo: '', refused: { message: 'Control characters and binary data are not accepted', reason: `${MAX_CONTROL_RUN + 1} control bytes in a row` } });
  });

  it('refuses NUL, C1 controls and bad UTF-8, echoing only what came before; drops a line past its limit', () => {
    expect(new TelnetLineEditor(100).feed(bytes('ok\x00no'))).toEqual({ echo: '', refused: { message: 'Control characters and binary data are not accepted', reason: 'byte 0x0' } });
    expect(new TelnetLineEditor(100).feed(bytes('ok\x15\x00'))).toMatchObject({ echo: 'ok\b \b\b \b', refused: { reason: 'byte 0x0' } });
    expect(new TelnetLineEditor(100).feed(Buffer.from('\u0085', 'utf8')).refused?.reason).toBe('C1 control');
    expect(new TelnetLineEditor(100).feed(bytes('\xff\xfe')).refused).toEqual({ message: 'That was not valid UTF-8 text', reason: 'invalid UTF-8' });
    // A line past its limit is dropped up to Enter, which says how long a line may be; the next is read.
    const long = new TelnetLineEditor(4);
    expect(long.feed(bytes('12345'))).toEqual({ echo: '' });
    expect(long.feed(bytes('678'))).toEqual({ echo: '' });
    expect(long.take()).toEqual({ tooLong: 4 });
    expect(long.feed(bytes('ok'))).toEqual({ echo: 'ok' });
    expect(long.take()).toEqual({ line: 'ok' });
    // Erased whole (Ctrl-U) before Enter, a line dropped for its length is gone: what follows is read.
    long.feed(bytes('12345'));
    expect(long.feed(bytes('\x15yes'))).toEqual({ echo: 'yes' });
    expect(long.take()).toEqual({ line: 'yes' });
    const halfAtEnter = new TelnetLineEditor(100);
    halfAtEnter.feed(Buffer.from('é', 'utf8').subarray(0, 1));
    expect(halfAtEnter.take()).toEqual({ refused: { message: 'That was not valid UTF-8 text', reason: 'invalid UTF-8 at end of line' } });
  });
});
