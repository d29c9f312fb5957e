/**
 * The telnet door: negotiates with each caller's terminal, edits its lines (echo, backspace) when
 * the terminal lets us, dials the switchboard and shows the backend's replies as terminal text.
 */
import type { Socket } from 'node:net';
import { encodeCp437, typedCp437ToUtf8 } from '../../common/cp437.js';
import type { ErrorCode } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { ConnectionCaps } from '../connection-caps.js';
import type { Call, Line, Switchboard } from '../line.js';
import { NOT_READING, createOutputLimit, type OutputLimit } from '../output-limit.js';
import { PLAIN_TERMINAL, renderNotice, renderReply, terminalCaps, type TerminalCaps } from '../render-text.js';
import { eventAboveInputLine } from './input-line-redraw.js';
import { HANG_UP_LINGER_MS, Refusals, refuseTelnet } from './refuse-connection.js';
import { createRefusalLog, type RefusalLog } from '../refusal-log.js';
import { ReadHold } from './read-hold.js';
import { TelnetLineEditor, type TypingRefused } from './telnet-line-editor.js';
import { OPTION, TelnetProtocol, escapeIac, type TelnetEvent } from './telnet-protocol.js';

/** What the telnet door needs: the switchboard to dial, a logger, and optional limits. */
export interface TelnetDoorOptions {
  readonly switchboard: Switchboard;
  readonly log: Logger;
  /** What every telnet caller dials: `@bbs` (any free line) unless told otherwise. */
  readonly route?: string;
  /** How long to wait for the terminal type before dialling anyway (default 3000). */
  readonly negotiationTimeoutMs?: number;
  /** The longest line a caller may type, in UTF-8 bytes (default 4096). */
  readonly maxLineBytes?: number;
  /** The cap on bytes waiting for one caller, shared by every door of a proxy (1 MiB by default). */
  readonly output?: OutputLimit;
  /** The proxy's caps on connections: past them a caller is told and closed before dialling. */
  readonly caps?: ConnectionCaps;
  /** The proxy's one refusal log (a caller refused for what they typed is logged there). */
  readonly refusals?: RefusalLog;
}

/** The telnet door as the proxy sees it. */
export interface TelnetDoor {
  /** Serves one accepted TCP connection. */
  handle(socket: Socket): void;
  /** Connections open now, dialled or still negotiating. */
  readonly liveConnections: number;
  /** Tells every caller `message` and closes them (shutdown). */
  closeAll(message: string): void;
}

type Settings = Readonly<Required<Omit<TelnetDoorOptions, 'log' | 'caps'>>> & { readonly caps: ConnectionCaps | undefined };

const REFUSED: ErrorCode = 'BBS_ERR_TELNET_INPUT';
const MAX_PENDING_LINES = 32;

/** Creates the telnet door; hand it the connections of a `net.Server`. */
export function createTelnetDoor(options: TelnetDoorOptions): TelnetDoor {
  const { switchboard, route = '@bbs', negotiationTimeoutMs = 3000, maxLineBytes = 4096 } = options;
  if (!Number.isInteger(negotiationTimeoutMs) || negotiationTimeoutMs < 0) throw new RangeError(`Expected negotiationTimeoutMs to be an integer >= 0, got ${negotiationTimeoutMs}`);
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`Expected maxLineBytes to be an integer >= 1, got ${maxLineBytes}`);
  const settings: Settings = Object.freeze({ switchboard, route, negotiationTimeoutMs, maxLineBytes, output: options.output ?? createOutputLimit(), caps: options.caps, refusals: options.refusals ?? createRefusalLog(options.log) });
  // Keyed by socket: the same three listeners for every socket of the door (`this` is the socket)
  // find its connection here, no closures per caller.
  const live = new Map<Socket, TelnetConnection>();
  function onData(this: Socket, chunk: Buffer): void {
    live.get(this)?.receive(chunk);
  }
  // Debug, as the other doors: a client that resets each connection would otherwise write a line each.
  function onError(this: Socket, error: NodeJS.ErrnoException): void {
    live.get(this)?.socketError(error);
  }
  function onClose(this: Socket): void {
    live.get(this)?.closed();
    live.delete(this);
    settings.caps?.closed(this);
  }
  const refusals = new Refusals();
  let serial = 0;
  return {
    handle(socket) {
      const refused = settings.caps?.admit(socket);
      if (refused !== undefined) return refusals.refuse(socket, (s) => refuseTelnet(s, refused.message));
      const connection = new TelnetConnection(socket, settings, options.log, ++serial, socket.remoteAddress ?? 'unknown');
      live.set(socket, connection);
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
    },
    get liveConnections() {
      return live.size;
    },
    closeAll(message) {
      for (const connection of live.values()) connection.finish(message);
    },
  };
}

function resumeReading(this: Socket): void {
  if (!this.destroyed) this.resume();
}

class TelnetConnection implements Line {
  private readonly protocol = new TelnetProtocol();
  private readonly editor: TelnetLineEditor;
  private readonly pending: string[] = [];
  private caps: TerminalCaps = PLAIN_TERMINAL;
  private phase: 'negotiating' | 'online' | 'dropped' | 'closing' = 'negotiating';
  private call: Call | undefined;
  private left = false;
  private hungUp = false;
  private overflowed = false;
  /** Made once what the caller typed first waits for the backend (the call is congested). */
  private readHold: ReadHold | undefined;
  private secret = false;
  /**
   * The prompt character's bytes (as latin1) on the line the caller is typing on (empty when at no
   * prompt), drawn again below an event. A string, not the rendered Buffer: that small Buffer is a
   * slice of Node's 8 KB pool, and one kept per idle caller pinned whole slabs (about 2 KB a caller).
   */
  private promptLine = '';
  /** The terminal's width as NAWS last said; undefined until it does. */
  private width: number | undefined;
  /** Until the terminal has said what it is; dropped once dialled, so an idle caller keeps no timer. */
  private timer: NodeJS.Timeout | undefined;
  private linger: NodeJS.Timeout | undefined;
  /** The call's connection id once dialled, for the log. */
  private conn: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly settings: Settings,
    private readonly baseLog: Logger,
    /** This door's number for the connection, and the caller's address: for the log. */
    private readonly serial: number,
    private readonly remote: string,
  ) {
    this.editor = new TelnetLineEditor(settings.maxLineBytes);
    socket.setNoDelay(true);
    this.write(this.protocol.start(), false);
    this.timer = setTimeout(() => this.dial('timeout'), settings.negotiationTimeoutMs);
  }

  // Made when there is something to log, like the child logger: an object kept per caller, made
  // by spreading, had a hidden class of its own (about 230 bytes a caller).
  private get logFields(): Readonly<Record<string, unknown>> {
    return this.conn === undefined ? { door: 'telnet', telnet: this.serial, remote: this.remote } : { door: 'telnet', telnet: this.serial, remote: this.remote, conn: this.conn };
  }

  // A child logger is made when there is something to log, not kept for the whole call.
  private get log(): Logger {
    return this.baseLog.child(this.logFields);
  }

  deliver(body: Buffer): void {
    if (this.phase === 'closing') return;
    const reply = renderReply(body, this.caps);
    // An event leaves the prompt as it is: above the line being typed, which is drawn again.
    if (reply.event === true) return this.write(eventAboveInputLine(reply.bytes, { prompt: Buffer.from(this.promptLine, 'latin1'), typed: this.shownTyping(), terminalEchoes: !this.echoing() }, this.caps, this.width ?? 80));
    const wasSecret = this.secret;
    if (reply.awaitsLine) this.secret = !reply.echo;
    // Half a password must never become the start of an echoed answer (a name, journaled in clear).
    if (wasSecret && !this.secret) this.editor.forget();
    this.write(reply.bytes);
    this.promptLine = reply.awaitsLine ? (reply.promptLine?.toString('latin1') ?? '') : '';
    // What the caller had typed of a line stays theirs when a prompt comes before Enter (after a
    // `-- line moved --` notice it is the same prompt again): shown after it, never if secret.
    const { text } = this.editor;
    if (reply.awaitsLine && text !== '' && !wasSecret && !this.secret && this.echoing()) this.write(this.typedBytes(text));
  }

  hangUp(): void {
    if (this.phase === 'closing') return;
    this.hungUp = true;
    this.end();
  }

  notice(text: string): void {
    if (this.phase === 'closing') return;
    this.promptLine = '';
    this.write(renderNotice(text, this.caps));
  }

  loggedIn(): void {
    this.settings.caps?.loggedIn(this.socket);
  }

  columns(): number | undefined {
    return this.width;
  }

  /** The backend went away: say so and offer a redial on Enter, keeping the caller's connection. */
  dropped(text: string): void {
    if (this.phase === 'closing') return;
    this.call = undefined;
    this.left = false;
    // The redial offer echoes what is typed: half a password typed before it is dropped, not shown.
    if (this.secret) this.editor.forget();
    this.secret = false;
    this.promptLine = '';
    this.phase = 'dropped';
    this.write(renderNotice(`${text} Press Enter to redial, or type Q and Enter to hang up.`, this.caps));
  }

  /** Says `message` and closes the line; the backend hears that the caller left. */
  finish(message: string): void {
    if (this.phase === 'closing') return;
    this.leave();
    this.write(renderNotice(message, this.caps));
    this.end();
  }

  /** Bytes from the caller's terminal. */
  receive(chunk: Buffer): void {
    try {
      for (const event of this.protocol.feed(chunk)) {
        if (this.phase === 'closing') return;
        this.handle(event);
      }
    } catch (error) {
      this.log.error('telnet connection failed', { error });
      this.finish('Something went wrong on this line; closing the line.');
      return;
    }
    if (this.call?.congested === true && this.phase !== 'closing') (this.readHold ??= new ReadHold(this.socket, () => (this.phase === 'closing' ? undefined : this.call))).check();
  }

  private handle(event: TelnetEvent): void {
    switch (event.type) {
      case 'send':
        return this.write(event.bytes, false);
      case 'data': {
        // A CP437 terminal types CP437 (é is 0x82): read as the characters it shows.
        const typed = this.editor.feed(this.caps.cp437 === true ? typedCp437ToUtf8(event.bytes) : event.bytes);
        this.echo(typed.echo);
        return typed.refused === undefined ? undefined : this.refuse(typed.refused);
      }
      case 'enter':
        return this.enter();
      case 'erase':
        return this.echo(this.editor.erase(1));
      case 'erase-line':
        return this.echo(this.editor.erase(Infinity));
      case 'ttype':
        this.caps = terminalCaps(event.name);
        this.log.debug('terminal type', { ttype: event.name, ...this.caps });
        return this.dial('ttype');
      case 'naws':
        // 0 means the terminal does not know; a resize is sent again and counts from the next request.
        if (event.width > 0) this.width = event.width;
        return this.log.debug('window size', { width: event.width, height: event.height });
      case 'negotiation':
        if (event.verb === 'WONT' && event.option === OPTION.TTYPE) this.dial('no ttype');
        return;
      case 'error':
        return this.refuse({ message: 'Your terminal sent a broken telnet negotiation', reason: event.reason });
    }
  }

  private dial(why: string): void {
    if (this.phase !== 'negotiating') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = 'online';
    const dialled = this.settings.switchboard.dial(this, { door: 'telnet', remoteAddr: this.socket.remoteAddress ?? 'unknown', route: this.settings.route });
    if (!dialled.ok) {
      this.settings.refusals.refused('info', 'telnet caller not connected', this.socket.remoteAddress, { ...this.logFields, reason: dialled.reason });
      return this.finish(dialled.message);
    }
    this.call = dialled.call;
    this.conn = dialled.call.id;
    this.log.debug('telnet caller dialled', { after: why, echo: this.echoing() });
    dialled.call.sendLine('connect');
    for (const line of this.pending.splice(0)) dialled.call.sendLine(line);
  }

  private enter(): void {
    const taken = this.editor.take();
    if ('refused' in taken) return this.refuse(taken.refused);
    if ('tooLong' in taken) return this.lineTooLong(taken.tooLong);
    const { line } = taken;
    this.secret = false;
    this.promptLine = '';
    if (this.echoing()) this.write(Buffer.from('\r\n'));
    if (this.phase === 'dropped') return this.redialOrQuit(line);
    if (this.call !== undefined) this.call.sendLine(line);
    else if (this.pending.length < MAX_PENDING_LINES) this.pending.push(line);
    else this.refuse({ message: 'Too much was typed before the call went through', reason: 'too many lines before dialling' });
  }

  // A line past the limit is not read: said, and the prompt shown again for the caller to go on.
  private lineTooLong(max: number): void {
    this.settings.refusals.refused('info', 'telnet line too long: not read', this.socket.remoteAddress, { ...this.logFields, max });
    this.write(Buffer.from(`\r\nThat line was longer than the ${max} bytes a line may have, so it was not read; type it again in shorter lines.\r\n`));
    if (this.promptLine !== '') this.write(Buffer.from(this.promptLine, 'latin1'));
  }

  private redialOrQuit(answer: string): void {
    if (answer.trim().toUpperCase() === 'Q') return this.finish('Bye.');
    this.phase = 'negotiating';
    this.dial('redial');
  }

  // What was typed (or erased) shows on the caller's screen only when we echo, and never a secret.
  private echo(text: string): void {
    if (text !== '' && this.echoing() && !this.secret) this.write(this.typedBytes(text));
  }

  // What the caller typed, shown back in their terminal's character set.
  private typedBytes(text: string): Buffer {
    return this.caps.cp437 === true ? encodeCp437(text) : Buffer.from(text, 'utf8');
  }

  // What shows of the line being typed: nothing when the door does not echo (the terminal shows it) or it is secret.
  private shownTyping(): string {
    return this.echoing() && !this.secret ? this.editor.text : '';
  }

  private echoing(): boolean {
    return this.protocol.localEnabled(OPTION.ECHO);
  }

  private refuse({ message, reason }: TypingRefused): void {
    this.settings.refusals.refused('warn', 'telnet caller refused', this.socket.remoteAddress, { ...this.logFields, code: REFUSED, reason });
    this.finish(`${message}; closing the line.`);
  }

  private write(bytes: Buffer, text = true): void {
    if (bytes.length === 0 || !this.socket.writable) return;
    const { socket } = this;
    const unread = socket.writableLength;
    socket.write(text ? escapeIac(bytes) : bytes);
    if (this.phase === 'closing' || this.overflowed) return;
    const { output } = this.settings;
    if (output.exceeded(unread, socket.writableLength - unread)) return this.overflow(socket.writableLength);
    // A caller who does not read must not be able to make the backend say more meanwhile.
    if (socket.writableLength > output.highWaterBytes && !socket.isPaused()) {
      socket.pause();
      socket.once('drain', resumeReading);
    }
  }

  // The goodbye goes after everything held for them, for whenever they read; the line is closed now.
  private overflow(bytes: number): void {
    this.settings.refusals.refused('warn', 'caller not reading; line closed', this.socket.remoteAddress, { ...this.logFields, bytes, max: this.settings.output.maxBytes });
    this.settings.output.closedOne();
    this.overflowed = true;
    this.finish(NOT_READING);
  }

  private end(): void {
    this.phase = 'closing';
    clearTimeout(this.timer);
    // A caller held is read again, so their side of the close is heard.
    this.readHold?.release();
    this.socket.end();
    // A caller that never closes its side must not hold the connection forever.
    this.linger = setTimeout(() => this.socket.destroy(), HANG_UP_LINGER_MS).unref();
  }

  private leave(): void {
    if (this.call === undefined || this.left || this.hungUp) return;
    this.left = true;
    this.call.leave();
  }

  socketError(error: NodeJS.ErrnoException): void {
    this.log.debug('telnet socket error', { error: error.message, errno: error.code });
  }

  /** The socket closed, whoever closed it. */
  closed(): void {
    clearTimeout(this.timer);
    clearTimeout(this.linger);
    this.phase = 'closing';
    this.leave();
  }
}
