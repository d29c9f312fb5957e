/**
 * One call to a BBS over Mongrel2's JSON-socket protocol, told as a modem would: `ATDT @bbs`,
 * `ATDT @bbs.10 ... CONNECT` once when the BBS answers, `BUSY`, `NO CARRIER` when the line drops.
 * Knows nothing about how the call is shown; whoever places it gets events.
 */
import { connect, type Socket } from 'node:net';
import { DIAL_CLIENT } from '../common/dial-client.js';
import { ReplyReader } from '../common/reply-reader.js';
import { isUnreadable, readReply, type BbsReply } from './bbs-reply.js';
import { formatAddress } from './dial-config.js';
import { anyFreeLine, type ChooseNextNumber } from './next-number.js';
import { plainLine, sanitiseServerText } from './server-text.js';

/** The state of the line, as the status bar shows it. */
export type LineState = 'DIALLING' | 'CONNECTED' | 'BUSY' | 'NO CARRIER';

/** How a call ended: the BBS said goodbye, the line dropped, every number tried was busy, nothing answered, or the caller hung up. */
export type CallEnd = 'exit' | 'dropped' | 'busy' | 'no-answer' | 'hung-up';

/** Something to show: modem talk, what the BBS said, a prompt, a change of line state, the end. */
export type CallEvent =
  | { readonly kind: 'modem'; readonly text: string }
  | { readonly kind: 'text'; readonly text: string; readonly tone: 'bbs' | 'notice' | 'problem' }
  | { readonly kind: 'prompt'; readonly msg: string; readonly pchar: string; readonly echo: boolean }
  /** A chat line, a page, a join: shown above the input line, leaving the prompt as it is. */
  | { readonly kind: 'event'; readonly text: string }
  | { readonly kind: 'state'; readonly state: LineState; readonly route: string }
  | { readonly kind: 'ended'; readonly how: CallEnd };

/** Where to call and who hears about it. */
export interface CallOptions {
  readonly host: string;
  readonly port: number;
  readonly route: string;
  readonly dialTimeoutMs: number;
  /** Keep the BBS's colour sequences in text events. */
  readonly colour: boolean;
  readonly chooseNext?: ChooseNextNumber;
  readonly onEvent: (event: CallEvent) => void;
  /** The width the BBS's text is shown in now (the terminal's columns), told with each line; undefined when unknown. */
  readonly columns?: () => number | undefined;
}

const HANG_UP_GRACE_MS = 1000;
const CONNECT_NOTICE = /^ATDT @[\w.\/-]{1,64} \.\.\. CONNECT$/;

/** A call that can be dialled, typed into, hung up and redialled. */
export class BbsCall {
  private socket: Socket | undefined;
  private attempt = 0;
  private tried: string[] = [];
  private current = { route: '', opened: false, answered: false, busy: false, exited: false, hungUp: false, timedOut: false };
  private wanted = false;
  private lastError: NodeJS.ErrnoException | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed: Promise<void> = Promise.resolve();
  state: LineState = 'NO CARRIER';

  constructor(private readonly options: CallOptions) {}

  /** The number dialled or connected to now. */
  get route(): string {
    return this.current.route === '' ? this.options.route : this.current.route;
  }

  /** Dials the number asked for (again, after a call has ended). */
  dial(): void {
    if (this.socket !== undefined) return;
    this.wanted = true;
    this.tried = [];
    this.ring(this.options.route);
  }

  /** Sends one line typed by the caller; false when there is no call to send it on. */
  send(line: string): boolean {
    if (this.socket === undefined || !this.current.opened || this.current.hungUp || this.current.exited) return false;
    this.socket.write(`${this.current.route} ${this.body(line)}\0`);
    return true;
  }

  // A line, with the width the BBS should wrap to (`columns`, which the proxy reads), and on the
  // first the client's name (who's online shows the call came by `client`); see README.
  private body(line: string, client?: typeof DIAL_CLIENT): string {
    const columns = this.options.columns?.();
    const sized = columns === undefined || !Number.isInteger(columns) || columns <= 0 ? { type: 'msg', msg: line } : { type: 'msg', msg: line, columns };
    return JSON.stringify(client === undefined ? sized : { ...sized, client });
  }

  /** Hangs up; resolves once the line is closed. */
  async hangUp(): Promise<void> {
    this.wanted = false;
    const socket = this.socket;
    if (socket !== undefined && !this.current.hungUp) {
      this.current.hungUp = true;
      if (this.current.opened) socket.end();
      else socket.destroy();
      // A server that never closes its side still lets the caller go.
      setTimeout(() => socket.destroy(), HANG_UP_GRACE_MS).unref();
    }
    await this.closed;
  }

  private emit(event: CallEvent): void {
    this.options.onEvent(event);
  }

  private setState(state: LineState): void {
    this.state = state;
    this.emit({ kind: 'state', state, route: this.current.route });
  }

  private ring(route: string): void {
    const attempt = ++this.attempt;
    this.tried.push(route);
    this.current = { route, opened: false, answered: false, busy: false, exited: false, hungUp: false, timedOut: false };
    this.lastError = undefined;
    this.setState('DIALLING');
    this.emit({ kind: 'modem', text: `ATDT ${route}` });
    const reader = new ReplyReader();
    const socket = connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    let closedNow = (): void => {};
    this.closed = new Promise((resolve) => (closedNow = resolve));
    this.timer = setTimeout(() => {
      this.emit({ kind: 'text', tone: 'problem', text: `NO ANSWER: ${this.where()} did not answer within ${this.options.dialTimeoutMs / 1000} s` });
      this.current.timedOut = true;
      socket.destroy();
    }, this.options.dialTimeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.current.opened = true;
      socket.write(`${route} ${this.body('connect', DIAL_CLIENT)}\0`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (attempt !== this.attempt) return;
      const { messages, errors } = reader.push(chunk);
      for (const error of errors) this.emit({ kind: 'text', tone: 'problem', text: `[bad data from the BBS: ${plainLine(error)}]` });
      for (const message of messages) this.onReply(message, socket);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (this.lastError ??= error));
    socket.on('close', () => {
      if (attempt === this.attempt) void this.onClose();
      closedNow();
    });
  }

  private onReply(message: unknown, socket: Socket): void {
    if (this.current.busy || this.current.exited) return;
    const reply = readReply(message);
    if (isUnreadable(reply)) return this.emit({ kind: 'text', tone: 'problem', text: `[${reply.problem}]` });
    // An exit before the BBS has answered is the proxy saying no line is free: busy, as a modem hears it.
    if (reply.type === 'busy' || (reply.type === 'exit' && !this.current.answered)) {
      clearTimeout(this.timer);
      this.current.busy = true;
      this.say(reply, 'notice');
      this.emit({ kind: 'modem', text: 'BUSY' });
      this.setState('BUSY');
      socket.destroy();
      return;
    }
    // The m2bbs proxy says which number answered (`ATDT @bbs.10 ... CONNECT`), as it does on
    // telnet and the page; a BBS that does not (a real Mongrel2) gets the same line made here.
    const connectLine = reply.type === 'notice' && CONNECT_NOTICE.test(reply.msg) ? reply.msg : undefined;
    if ((connectLine !== undefined || (reply.type !== 'notice' && reply.type !== 'event')) && !this.current.answered) {
      clearTimeout(this.timer);
      this.current.answered = true;
      this.emit({ kind: 'modem', text: connectLine ?? `ATDT ${this.current.route} ... CONNECT` });
      this.setState('CONNECTED');
    }
    if (connectLine !== undefined) return;
    if (reply.type === 'event') {
      if (reply.msg !== '') this.emit({ kind: 'event', text: this.clean(reply.msg) });
      return;
    }
    if (reply.type === 'prompt') {
      this.emit({ kind: 'prompt', msg: this.clean(reply.msg), pchar: plainLine(reply.pchar, 20), echo: reply.echo });
      return;
    }
    this.say(reply, reply.type === 'notice' ? 'notice' : 'bbs');
    if (reply.type === 'exit') {
      this.current.exited = true;
      socket.end();
      setTimeout(() => socket.destroy(), HANG_UP_GRACE_MS).unref();
    }
  }

  private async onClose(): Promise<void> {
    clearTimeout(this.timer);
    this.socket = undefined;
    const { busy, opened, exited, hungUp, timedOut } = this.current;
    if (busy) {
      const next = await this.chooseNext();
      if (next !== undefined && this.wanted && this.socket === undefined) return this.ring(next);
      return this.emit({ kind: 'ended', how: 'busy' });
    }
    if (timedOut || (!opened && !hungUp)) {
      if (!timedOut) this.emit({ kind: 'text', tone: 'problem', text: `NO ANSWER: ${this.noAnswer()}` });
      this.setState('NO CARRIER');
      return this.emit({ kind: 'ended', how: 'no-answer' });
    }
    this.emit({ kind: 'modem', text: 'NO CARRIER' });
    this.setState('NO CARRIER');
    // A line closed before the BBS answered never connected: the proxy found no free line, say.
    this.emit({ kind: 'ended', how: exited ? 'exit' : hungUp ? 'hung-up' : this.current.answered ? 'dropped' : 'no-answer' });
  }

  private async chooseNext(): Promise<string | undefined> {
    try {
      const next = await (this.options.chooseNext ?? anyFreeLine)({ busy: this.current.route, tried: [...this.tried] });
      return next !== undefined && !this.tried.includes(next) ? next : undefined;
    } catch (error) {
      this.emit({ kind: 'text', tone: 'problem', text: `[could not choose another number: ${plainLine(String(error))}]` });
      return undefined;
    }
  }

  private say(reply: BbsReply, tone: 'bbs' | 'notice'): void {
    if (reply.msg !== '') this.emit({ kind: 'text', tone, text: this.clean(reply.msg) });
  }

  private clean(text: string): string {
    return sanitiseServerText(text, { colour: this.options.colour });
  }

  private where(): string {
    return formatAddress(this.options.host, this.options.port);
  }

  private noAnswer(): string {
    const code = this.lastError?.code;
    if (code === 'ECONNREFUSED') return `nothing at ${this.where()}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `there is no host called ${this.options.host}`;
    return `${this.where()} could not be reached (${code ?? this.lastError?.message ?? 'the connection closed'})`;
  }
}
