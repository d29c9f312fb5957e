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
const LOCAL_OPTIONS: readonly number[] = [OPTION.ECHO, OPTION.SGA];
/** Options we let the caller perform (WILL) and ask for (DO TTYPE, DO NAWS). */
const REMOTE_OPTIONS: readonly number[] = [OPTION.SGA, OPTION.TTYPE, OPTION.NAWS];
const OPTION_STATES: readonly OptionState[] = ['no', 'yes', 'want-yes', 'want-no'];
/** Between two feeds a connection holds no events (and so no Buffer of the pool). */
const NO_EVENTS: TelnetEvent[] = Object.freeze([]) as unknown as TelnetEvent[];

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

/**
 * One caller's telnet conversation: negotiation state per option and the input parser. It is
 * kept for the whole call, so its state is small: an option we do not support is always `no`,
 * and the five we do keep two bits each in one number.
 */
export class TelnetProtocol {
  private optionStates = 0;
  /** Offers already refused (`WILL 36`, ...), so that a looping peer is refused once; made on the first. */
  private refused: Set<string> | undefined;
  private readonly maxSubnegotiation: number;
  private state: ParseState = 'data';
  private afterCr = false;
  private verb = 0;
  private sbOption = 0;
  private sb: number[] = [];
  private ttypeAsked = false;
  private data: number[] = [];
  private events: TelnetEvent[] = NO_EVENTS;

  constructor(options: { readonly maxSubnegotiationBytes?: number } = {}) {
    this.maxSubnegotiation = options.maxSubnegotiationBytes ?? 512;
  }

  /** The opening negotiation: WILL ECHO, WILL SGA, DO TTYPE, DO NAWS. */
  start(): Buffer {
    const out: number[] = [];
    for (const option of [OPTION.ECHO, OPTION.SGA]) {
      this.setState(true, option, 'want-yes');
      out.push(IAC, WILL, option);
    }
    for (const option of [OPTION.TTYPE, OPTION.NAWS]) {
      this.setState(false, option, 'want-yes');
      out.push(IAC, DO, option);
    }
    return Buffer.from(out);
  }

  /** True when we perform `option` (the caller agreed to our WILL, or asked with DO). */
  localEnabled(option: number): boolean {
    return this.optionState(true, option) === 'yes';
  }

  /** True when the caller performs `option` (it agreed to our DO, or offered with WILL). */
  remoteEnabled(option: number): boolean {
    return this.optionState(false, option) === 'yes';
  }

  /** Parses a chunk of caller bytes; never throws. */
  feed(chunk: Buffer): TelnetEvent[] {
    this.events = [];
    for (const byte of chunk) this.step(byte);
    this.flushData();
    const events = this.events;
    this.events = NO_EVENTS;
    return events;
  }

  /** Where (`ours`: our side, else the caller's) `option` keeps its two bits; undefined when unsupported. */
  private static slot(ours: boolean, option: number): number | undefined {
    const index = (ours ? LOCAL_OPTIONS : REMOTE_OPTIONS).indexOf(option);
    if (index < 0) return undefined;
    return 2 * (ours ? index : LOCAL_OPTIONS.length + index);
  }

  private optionState(ours: boolean, option: number): OptionState {
    const slot = TelnetProtocol.slot(ours, option);
    return slot === undefined ? 'no' : (OPTION_STATES[(this.optionStates >> slot) & 3] as OptionState);
  }

  // Only supported options ever leave `no`: we refuse the rest and never ask for them.
  private setState(ours: boolean, option: number, state: OptionState): void {
    const slot = TelnetProtocol.slot(ours, option);
    if (slot !== undefined) this.optionStates = (this.optionStates & ~(3 << slot)) | (OPTION_STATES.indexOf(state) << slot);
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
          this.sb = [];
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
    this.sb = [];
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
    const supported = TelnetProtocol.slot(ours, option) !== undefined;
    const [agree, refuse] = ours ? [WILL, WONT] : [DO, DONT];
    const state = this.optionState(ours, option);
    if (verb === DO || verb === WILL) {
      if (state === 'want-yes') this.setState(ours, option, 'yes');
      else if (state === 'want-no') this.setState(ours, option, 'no');
      else if (state === 'no') {
        if (supported) {
          this.setState(ours, option, 'yes');
          this.send([IAC, agree, option]);
        } else if (this.refused?.has(`${name}${option}`) !== true) {
          (this.refused ??= new Set()).add(`${name}${option}`);
          this.send([IAC, refuse, option]);
        }
      }
      if (!ours && option === OPTION.TTYPE && this.optionState(ours, option) === 'yes' && !this.ttypeAsked) {
        this.ttypeAsked = true;
        this.send([IAC, SB, OPTION.TTYPE, TTYPE_SEND, IAC, SE]);
      }
    } else {
      if (state === 'yes') this.send([IAC, refuse, option]);
      this.setState(ours, option, 'no');
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
