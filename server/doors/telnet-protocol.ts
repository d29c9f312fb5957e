/**
 * A pure telnet state machine (RFC 854, option negotiation after RFC 1143 without queues): it is
 * fed a caller's bytes and returns what they mean, including the bytes to answer with; no sockets.
 */

/** Telnet command bytes. */
export const TELNET = {
  IAC: 255, DONT: 254, DO: 253, WONT: 252, WILL: 251, SB: 250, GA: 249, EL: 248, EC: 247,
  AYT: 246, AO: 245, IP: 244, BRK: 243, DM: 242, NOP: 241, SE: 240,
} as const;

/** The telnet options this machine knows by name. */
export const OPTION = { ECHO: 1, SGA: 3, TTYPE: 24, NAWS: 31 } as const;

/** A negotiation verb as it appears on the wire. */
export type Verb = 'DO' | 'DONT' | 'WILL' | 'WONT';

/** What a run of caller bytes meant, in order; `send` carries bytes to write back to the caller. */
export type TelnetEvent =
  | { readonly type: 'data'; readonly bytes: Buffer }
  | { readonly type: 'enter' }
  | { readonly type: 'erase' }
  | { readonly type: 'erase-line' }
  | { readonly type: 'command'; readonly code: number }
  | { readonly type: 'negotiation'; readonly verb: Verb; readonly option: number }
  | { readonly type: 'ttype'; readonly name: string }
  | { readonly type: 'naws'; readonly width: number; readonly height: number }
  | { readonly type: 'send'; readonly bytes: Buffer }
  | { readonly type: 'error'; readonly reason: string };

type OptionState = 'no' | 'yes' | 'want-yes' | 'want-no';
type ParseState = 'data' | 'iac' | 'verb' | 'sb-option' | 'sb' | 'sb-iac' | 'sb-skip' | 'sb-skip-iac';

const { IAC, DONT, DO, WONT, WILL, SB, SE, EC, EL } = TELNET;
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;
const BS = 0x08;
const DEL = 0x7f;
const TTYPE_IS = 0;
const TTYPE_SEND = 1;
const VERBS: Readonly<Record<number, Verb>> = { [DO]: 'DO', [DONT]: 'DONT', [WILL]: 'WILL', [WONT]: 'WONT' };
/** Options we perform ourselves when asked (DO) and announce (WILL). */
const LOCAL_OPTIONS: ReadonlySet<number> = new Set([OPTION.ECHO, OPTION.SGA]);
/** Options we let the caller perform (WILL) and ask for (DO TTYPE, DO NAWS). */
const REMOTE_OPTIONS: ReadonlySet<number> = new Set([OPTION.SGA, OPTION.TTYPE, OPTION.NAWS]);

/** Doubles every 0xFF so that data bytes cannot be read as telnet commands. */
export function escapeIac(data: Buffer): Buffer {
  if (!data.includes(IAC)) return data;
  const out: number[] = [];
  for (const byte of data) {
    out.push(byte);
    if (byte === IAC) out.push(IAC);
  }
  return Buffer.from(out);
}

/** One caller's telnet conversation: negotiation state per option and the input parser. */
export class TelnetProtocol {
  private readonly local = new Map<number, OptionState>();
  private readonly remote = new Map<number, OptionState>();
  private readonly refused = new Set<string>();
  private readonly maxSubnegotiation: number;
  private state: ParseState = 'data';
  private afterCr = false;
  private verb = 0;
  private sbOption = 0;
  private sb: number[] = [];
  private ttypeAsked = false;
  private data: number[] = [];
  private events: TelnetEvent[] = [];

  constructor(options: { readonly maxSubnegotiationBytes?: number } = {}) {
    this.maxSubnegotiation = options.maxSubnegotiationBytes ?? 512;
  }

  /** The opening negotiation: WILL ECHO, WILL SGA, DO TTYPE, DO NAWS. */
  start(): Buffer {
    const out: number[] = [];
    for (const option of [OPTION.ECHO, OPTION.SGA]) {
      this.local.set(option, 'want-yes');
      out.push(IAC, WILL, option);
    }
    for (const option of [OPTION.TTYPE, OPTION.NAWS]) {
      this.remote.set(option, 'want-yes');
      out.push(IAC, DO, option);
    }
    return Buffer.from(out);
  }

  /** True when we perform `option` (the caller agreed to our WILL, or asked with DO). */
  localEnabled(option: number): boolean {
    return this.local.get(option) === 'yes';
  }

  /** True when the caller performs `option` (it agreed to our DO, or offered with WILL). */
  remoteEnabled(option: number): boolean {
    return this.remote.get(option) === 'yes';
  }

  /** Parses a chunk of caller bytes; never throws. */
  feed(chunk: Buffer): TelnetEvent[] {
    this.events = [];
    for (const byte of chunk) this.step(byte);
    this.flushData();
    return this.events;
  }

  private step(byte: number): void {
    switch (this.state) {
      case 'data':
        return this.dataByte(byte);
      case 'iac':
        return this.command(byte);
      case 'verb':
        this.state = 'data';
        return this.negotiate(this.verb, byte);
      case 'sb-option':
        this.sbOption = byte;
        this.sb = [];
        this.state = 'sb';
        return;
      case 'sb':
        if (byte === IAC) this.state = 'sb-iac';
        else this.sbByte(byte);
        return;
      case 'sb-iac':
        if (byte === IAC) {
          this.state = 'sb';
          this.sbByte(IAC);
        } else if (byte === SE) {
          this.state = 'data';
          this.subnegotiation(this.sbOption, this.sb);
        } else {
          this.state = 'data';
          this.emit({ type: 'error', reason: `subnegotiation for option ${this.sbOption} interrupted by IAC ${byte}` });
          this.command(byte);
        }
        return;
      case 'sb-skip':
        if (byte === IAC) this.state = 'sb-skip-iac';
        return;
      case 'sb-skip-iac':
        this.state = byte === SE ? 'data' : 'sb-skip';
        return;
    }
  }

  private dataByte(byte: number): void {
    // A command between CR and its LF or NUL does not end the pair.
    if (byte === IAC) {
      this.state = 'iac';
      return;
    }
    const afterCr = this.afterCr;
    this.afterCr = false;
    if (byte === CR) {
      this.afterCr = true;
      this.emit({ type: 'enter' });
    } else if (afterCr && (byte === LF || byte === NUL)) {
      // The second half of CR LF or CR NUL: Enter was already reported.
    } else if (byte === LF) {
      this.emit({ type: 'enter' });
    } else if (byte === BS || byte === DEL) {
      this.emit({ type: 'erase' });
    } else {
      this.data.push(byte);
    }
  }

  private command(byte: number): void {
    this.state = 'data';
    if (byte === IAC) {
      this.afterCr = false;
      this.data.push(IAC);
    } else if (VERBS[byte] !== undefined) {
      this.verb = byte;
      this.state = 'verb';
    } else if (byte === SB) this.state = 'sb-option';
    else if (byte === EC) this.emit({ type: 'erase' });
    else if (byte === EL) this.emit({ type: 'erase-line' });
    else this.emit({ type: 'command', code: byte });
  }

  private sbByte(byte: number): void {
    if (this.sb.length < this.maxSubnegotiation) {
      this.sb.push(byte);
      return;
    }
    this.state = 'sb-skip';
    this.emit({ type: 'error', reason: `subnegotiation for option ${this.sbOption} longer than ${this.maxSubnegotiation} bytes` });
  }

  private subnegotiation(option: number, body: readonly number[]): void {
    if (option === OPTION.TTYPE && body[0] === TTYPE_IS) {
      const name = Buffer.from(body.slice(1)).toString('latin1');
      if (/^[\x21-\x7e]{1,64}$/.test(name)) this.emit({ type: 'ttype', name });
      else this.emit({ type: 'error', reason: 'malformed terminal type' });
    } else if (option === OPTION.NAWS) {
      const [w1, w0, h1, h0] = body;
      if (body.length !== 4 || w1 === undefined || w0 === undefined || h1 === undefined || h0 === undefined) {
        this.emit({ type: 'error', reason: `window size of ${body.length} bytes, expected 4` });
      } else {
        this.emit({ type: 'naws', width: (w1 << 8) | w0, height: (h1 << 8) | h0 });
      }
    }
    // Anything else (TTYPE SEND from the caller, options we never asked for) is ignored.
  }

  private negotiate(verb: number, option: number): void {
    const name = VERBS[verb] ?? 'DO';
    this.emit({ type: 'negotiation', verb: name, option });
    const ours = verb === DO || verb === DONT;
    const table = ours ? this.local : this.remote;
    const supported = (ours ? LOCAL_OPTIONS : REMOTE_OPTIONS).has(option);
    const [agree, refuse] = ours ? [WILL, WONT] : [DO, DONT];
    const state = table.get(option) ?? 'no';
    if (verb === DO || verb === WILL) {
      if (state === 'want-yes') table.set(option, 'yes');
      else if (state === 'want-no') table.set(option, 'no');
      else if (state === 'no') {
        if (supported) {
          table.set(option, 'yes');
          this.send([IAC, agree, option]);
        } else if (!this.refused.has(`${name}${option}`)) {
          this.refused.add(`${name}${option}`);
          this.send([IAC, refuse, option]);
        }
      }
      if (!ours && option === OPTION.TTYPE && table.get(option) === 'yes' && !this.ttypeAsked) {
        this.ttypeAsked = true;
        this.send([IAC, SB, OPTION.TTYPE, TTYPE_SEND, IAC, SE]);
      }
    } else {
      if (state === 'yes') this.send([IAC, refuse, option]);
      table.set(option, 'no');
    }
  }

  private send(bytes: number[]): void {
    this.emit({ type: 'send', bytes: Buffer.from(bytes) });
  }

  private emit(event: TelnetEvent): void {
    this.flushData();
    this.events.push(event);
  }

  private flushData(): void {
    if (this.data.length === 0) return;
    this.events.push({ type: 'data', bytes: Buffer.from(this.data) });
    this.data = [];
  }
}
