import { describe, expect, it } from 'vitest';
import { OPTION, TELNET, TelnetProtocol, escapeIac, type TelnetEvent } from '../server/doors/telnet-protocol.js';

const { IAC, DO, DONT, WILL, WONT, SB, SE, NOP, EC } = TELNET;
const { ECHO, SGA, TTYPE, NAWS } = OPTION;

/** Feeds `bytes` in one chunk, or one byte at a time, and merges adjacent data events. */
function feed(protocol: TelnetProtocol, bytes: number[] | Buffer, byteByByte = false): TelnetEvent[] {
  const buffer = Buffer.from(bytes);
  const chunks = byteByByte ? Array.from(buffer, (b) => Buffer.from([b])) : [buffer];
  const events: TelnetEvent[] = [];
  for (const chunk of chunks) {
    for (const event of protocol.feed(chunk)) {
      const last = events.at(-1);
      if (event.type === 'data' && last?.type === 'data') events[events.length - 1] = { type: 'data', bytes: Buffer.concat([last.bytes, event.bytes]) };
      else events.push(event);
    }
  }
  return events;
}

function started(): TelnetProtocol {
  const protocol = new TelnetProtocol();
  protocol.start();
  return protocol;
}

const sent = (events: TelnetEvent[]): number[] => events.flatMap((e) => (e.type === 'send' ? [...e.bytes] : []));
const data = (text: string): TelnetEvent => ({ type: 'data', bytes: Buffer.from(text, 'latin1') });

describe('TelnetProtocol input', () => {
  it('opens with WILL ECHO, WILL SGA, DO TTYPE, DO NAWS', () => {
    expect([...new TelnetProtocol().start()]).toEqual([IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, TTYPE, IAC, DO, NAWS]);
  });

  const session = [
    ...Buffer.from('hi'), IAC, IAC, 0x21, 13, 10,           // IAC IAC is a data 0xFF; CR LF is Enter
    ...Buffer.from('a'), 13, 0,                              // CR NUL is Enter
    ...Buffer.from('b'), 10,                                 // so is a bare LF
    ...Buffer.from('cd'), 8, 0x7f, IAC, EC, IAC, NOP,        // backspace, delete, IAC EC erase
    IAC, SB, TTYPE, 0, ...Buffer.from('XTERM-256COLOR'), IAC, SE,
    IAC, SB, NAWS, 0, 132, IAC, IAC, 50, IAC, SE,          // width 132, height 0xFF32 (its 0xFF escaped)
    13, IAC, NOP, 10,                                        // a command inside CR LF does not make two Enters
  ];
  const expected: TelnetEvent[] = [
    data('hi\xff!'), { type: 'enter' },
    data('a'), { type: 'enter' },
    data('b'), { type: 'enter' },
    data('cd'), { type: 'erase' }, { type: 'erase' }, { type: 'erase' }, { type: 'command', code: NOP },
    { type: 'ttype', name: 'XTERM-256COLOR' },
    { type: 'naws', width: 132, height: 0xff32 },
    { type: 'enter' }, { type: 'command', code: NOP },
  ];

  it('reads data, Enter, erase, TTYPE IS and NAWS from one chunk', () => {
    expect(feed(started(), session)).toEqual(expected);
  });

  it('reads the same when split at every byte', () => {
    expect(feed(started(), session, true)).toEqual(expected);
  });

  it('keeps control and other bytes as data for the door to judge', () => {
    expect(feed(started(), [0, 1, 0x1b, 0x80])).toEqual([{ type: 'data', bytes: Buffer.from([0, 1, 0x1b, 0x80]) }]);
  });
});

describe('TelnetProtocol negotiation', () => {
  it('takes the terminal answers to its own offers without answering back', () => {
    const protocol = started();
    const events = feed(protocol, [IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, NAWS]);
    expect(sent(events)).toEqual([]);
    expect(protocol.localEnabled(ECHO)).toBe(true);
    expect(protocol.localEnabled(SGA)).toBe(true);
    expect(protocol.remoteEnabled(NAWS)).toBe(true);
    expect(events).toContainEqual({ type: 'negotiation', verb: 'DO', option: ECHO });
  });

  it('asks for the terminal type once the caller says WILL TTYPE, and only once', () => {
    const protocol = started();
    expect(sent(feed(protocol, [IAC, WILL, TTYPE]))).toEqual([IAC, SB, TTYPE, 1, IAC, SE]);
    expect(sent(feed(protocol, [IAC, WILL, TTYPE, IAC, WILL, TTYPE]))).toEqual([]);
  });

  it('does not loop with a client that repeats or mirrors every negotiation', () => {
    const protocol = started();
    const mirror = [IAC, DO, ECHO, IAC, DO, SGA, IAC, DO, TTYPE, IAC, DO, NAWS, IAC, WILL, ECHO, IAC, WILL, SGA];
    const first = sent(feed(protocol, mirror));
    // It refuses to send a terminal type or window size itself and refuses the caller's echo, once
    // each; the caller's offer to suppress go-ahead is welcome.
    expect(first).toEqual([IAC, WONT, TTYPE, IAC, WONT, NAWS, IAC, DONT, ECHO, IAC, DO, SGA]);
    for (let round = 0; round < 5; round++) expect(sent(feed(protocol, mirror))).toEqual([]);
    expect(protocol.localEnabled(ECHO)).toBe(true);
  });

  it('turns an option off when the caller withdraws it, and answers that once', () => {
    const protocol = started();
    feed(protocol, [IAC, DO, ECHO]);
    expect(sent(feed(protocol, [IAC, DONT, ECHO]))).toEqual([IAC, WONT, ECHO]);
    expect(protocol.localEnabled(ECHO)).toBe(false);
    expect(sent(feed(protocol, [IAC, DONT, ECHO]))).toEqual([]);
  });

  it('takes a refusal of its own offer silently', () => {
    const protocol = started();
    const events = feed(protocol, [IAC, WONT, TTYPE, IAC, DONT, ECHO]);
    expect(sent(events)).toEqual([]);
    expect(protocol.remoteEnabled(TTYPE)).toBe(false);
    expect(protocol.localEnabled(ECHO)).toBe(false);
  });

  it('refuses an unsupported option it is offered, once', () => {
    const protocol = started();
    expect(sent(feed(protocol, [IAC, WILL, 34, IAC, DO, 0]))).toEqual([IAC, DONT, 34, IAC, WONT, 0]);
    expect(sent(feed(protocol, [IAC, WILL, 34, IAC, DO, 0]))).toEqual([]);
  });
});

describe('TelnetProtocol bad subnegotiation', () => {
  it('ignores a complete subnegotiation for an option it does not know', () => {
    expect(feed(started(), [IAC, SB, 99, 1, 2, 3, IAC, SE, 0x41])).toEqual([data('A')]);
  });

  it('reports an SB that runs past the limit once, never throws, and resynchronises on IAC SE', () => {
    const protocol = new TelnetProtocol({ maxSubnegotiationBytes: 512 });
    const events = feed(protocol, [IAC, SB, TTYPE, ...new Array<number>(2000).fill(0x41), IAC, SE, 0x42]);
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
    expect(events.at(-1)).toEqual(data('B'));
  });

  it('reports an SB cut short by another command', () => {
    const events = feed(started(), [IAC, SB, TTYPE, 0, 0x41, IAC, WILL, NAWS]);
    expect(events[0]).toMatchObject({ type: 'error' });
    expect(events).toContainEqual({ type: 'negotiation', verb: 'WILL', option: NAWS });
  });

  it('reports a malformed window size or terminal type', () => {
    expect(feed(started(), [IAC, SB, NAWS, 0, 80, 0, IAC, SE])).toEqual([{ type: 'error', reason: 'window size of 3 bytes, expected 4' }]);
    expect(feed(started(), [IAC, SB, TTYPE, 0, 0x1b, 0x5b, IAC, SE])).toEqual([{ type: 'error', reason: 'malformed terminal type' }]);
  });
});

describe('escapeIac', () => {
  it('doubles 0xFF and leaves other bytes alone', () => {
    expect([...escapeIac(Buffer.from([1, 0xff, 2, 0xff, 0xff]))]).toEqual([1, 0xff, 0xff, 2, 0xff, 0xff, 0xff, 0xff]);
    const plain = Buffer.from('plain');
    expect(escapeIac(plain)).toBe(plain);
  });
});
