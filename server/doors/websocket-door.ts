/**
 * The WebSocket door: the page's terminal sends `{"type":"msg","msg":LINE}` text frames and gets
 * each reply as one text frame; the proxy dials on the page's behalf.
 */
import { encodeBbsMessage } from '../../common/bbs-messages.js';
import { isUtf8 } from 'node:buffer';
import type { PageSocket, PageSocketOwner } from './page-socket.js';
import { CLOSE_GOING_AWAY, CLOSE_INVALID_DATA, CLOSE_NORMAL, CLOSE_POLICY, CLOSE_UNSUPPORTED_DATA } from './websocket-frames.js';
import type { Logger } from '../../common/log.js';
import type { Socket } from 'node:net';
import type { ConnectionCaps } from '../connection-caps.js';
import type { Call, Line, Switchboard } from '../line.js';
import { NOT_READING, createOutputLimit, type OutputLimit } from '../output-limit.js';
import type { RefusalLog } from '../refusal-log.js';
import { clampColumns } from '../../common/terminal-columns.js';

export interface WebSocketDoorOptions {
  readonly switchboard: Switchboard;
  readonly log: Logger;
  /** The cap on bytes waiting for one caller, shared by every door of a proxy (1 MiB by default). */
  readonly output?: OutputLimit;
  /** The proxy's caps: a caller who logs in stops counting against their address. */
  readonly caps?: ConnectionCaps;
  /** The proxy's one refusal log (bad messages, callers not reading). */
  readonly refusals?: RefusalLog;
}

/** How long a caller closed for not reading keeps the socket, to read the goodbye if they start. */
const OVERFLOW_LINGER_MS = 5000;

/** A message from the proxy itself, not from a backend. */
export function notice(msg: string): string {
  return encodeBbsMessage({ type: 'notice', msg });
}

/**
 * Serves one accepted WebSocket on `route`; `socket` is its TCP connection, as the caps count it.
 * `columns` is the page's terminal width when it called (`/ws?cols=N`); `{"type":"size","cols":N}` changes it.
 */
export function serveWebSocket(ws: PageSocket, remoteAddr: string, route: string, options: WebSocketDoorOptions, socket?: Socket, columns?: number): void {
  const page = new PageConnection(ws, remoteAddr, options, options.output ?? createOutputLimit(), socket);
  page.width = clampColumns(columns);
  ws.listen(page);
  const dialled = options.switchboard.dial(page, { door: 'websocket', remoteAddr, route });
  if (!dialled.ok) {
    ws.send(notice(dialled.message));
    ws.close(CLOSE_TRY_AGAIN_LATER, dialled.reason);
    return;
  }
  page.call = dialled.call;
  page.call.sendLine('connect');
}

/** The close code for a busy BBS (IANA's registry: "Try Again Later"). */
const CLOSE_TRY_AGAIN_LATER = 1013;

function terminate(ws: PageSocket): void {
  ws.terminate();
}

// One per page caller, kept for the whole call: a class, so its methods are shared rather than
// closures per connection (run through tsx, a named closure also carries its own property table).
class PageConnection implements Line, PageSocketOwner {
  call: Call | undefined;
  /** The page terminal's width in columns, as the page last said; undefined until it does. */
  width: number | undefined;
  private paused = false;
  /** Not read while what the page sent waits for the backend (the call is congested). */
  private held = false;
  private overflowed = false;

  constructor(
    private readonly ws: PageSocket,
    private readonly remoteAddr: string,
    private readonly options: WebSocketDoorOptions,
    private readonly output: OutputLimit,
    private readonly socket: Socket | undefined,
  ) {}

  loggedIn(): void {
    if (this.socket !== undefined) this.options.caps?.loggedIn(this.socket);
  }

  columns(): number | undefined {
    return this.width;
  }

  log(level: 'debug' | 'warn', msg: string, fields: Readonly<Record<string, unknown>>): void {
    this.options.log[level](msg, { door: 'websocket', remote: this.remoteAddr, ...(this.call === undefined ? {} : { conn: this.call.id }), ...fields });
  }

  // Lines written once per connection closed for what its caller did: through the proxy's one refusal log.
  private refused(msg: string, fields: Readonly<Record<string, unknown>>): void {
    const refusals = this.options.refusals;
    if (refusals === undefined) return this.log('warn', msg, fields);
    refusals.refused('warn', msg, this.remoteAddr, { door: 'websocket', ...(this.call === undefined ? {} : { conn: this.call.id }), ...fields });
  }

  deliver(body: Buffer): void {
    this.send(isUtf8(body) ? body.toString('utf8') : body);
  }

  hangUp(): void {
    this.ws.close(CLOSE_NORMAL, 'bye');
  }

  notice(text: string): void {
    this.send(notice(text));
  }

  // The page shows NO CARRIER on any close and offers a redial.
  dropped(text: string): void {
    this.send(notice(text));
    this.ws.close(CLOSE_GOING_AWAY, 'line dropped');
  }

  private send(data: string | Buffer): void {
    if (this.overflowed) return;
    const { highWaterBytes } = this.output;
    // Near or past the high-water mark each frame says when it has gone out, so the last one's
    // callback finds the buffer drained; below it, no callback is made at all.
    const unread = this.ws.bufferedAmount;
    const watch = this.paused || unread + Buffer.byteLength(data) > highWaterBytes;
    this.ws.send(data, watch ? () => this.sent() : undefined);
    const waiting = this.ws.bufferedAmount;
    if (this.output.exceeded(unread, waiting - unread)) return this.overflow(waiting);
    // A caller who does not read must not be able to make the backend say more meanwhile.
    if (waiting > highWaterBytes && !this.paused) {
      this.paused = true;
      this.ws.pause();
    }
  }

  private sent(): void {
    if (!this.paused || this.overflowed || this.ws.bufferedAmount > this.output.highWaterBytes) return;
    this.paused = false;
    if (!this.held) this.ws.resume();
  }

  // What the page sent waits for the backend past its high-water mark: the rest waits in its
  // connection (the kernel, TCP), not in the proxy, until the call can take more.
  private hold(call: Call): void {
    if (this.held) return;
    this.held = true;
    this.ws.pause();
    call.whenClear(() => {
      this.held = false;
      if (!this.ws.open) return;
      if (this.call?.congested === true) return this.hold(this.call);
      if (!this.paused) this.ws.resume();
    });
  }

  // The goodbye goes after everything held for them, for whenever they read; the call ends now.
  private overflow(bytes: number): void {
    this.refused('caller not reading; line closed', { bytes, max: this.output.maxBytes });
    this.output.closedOne();
    this.overflowed = true;
    // Their closing handshake must be read for the close to finish; what they type goes nowhere now.
    if (this.paused || this.held) this.ws.resume();
    this.held = false;
    this.ws.send(notice(NOT_READING));
    this.ws.close(CLOSE_POLICY, 'not reading');
    this.call?.leave();
    setTimeout(terminate, OVERFLOW_LINGER_MS, this.ws).unref();
  }

  closed(): void {
    this.call?.leave();
  }

  // The socket is closing: the call ends now, not when the page gets round to its side of the close.
  failed(why: string): void {
    this.log('debug', 'websocket error', { error: why });
    this.call?.leave();
  }

  received(data: Buffer, isBinary: boolean): void {
    // What was read after the line closed has nobody to answer it.
    if (!this.ws.open) return;
    if (isBinary) return this.refuse(CLOSE_UNSUPPORTED_DATA, 'Binary messages are not accepted');
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return this.refuse(CLOSE_INVALID_DATA, 'That message was not JSON');
    }
    const { type, msg } = (typeof message === 'object' && message !== null ? message : {}) as { type?: unknown; msg?: unknown };
    if (type === 'ping') return;
    // The page was resized: the next request says so. A width that is no number is ignored.
    if (type === 'size') {
      this.width = clampColumns((message as { cols?: unknown }).cols) ?? this.width;
      return;
    }
    if (type !== 'msg' || typeof msg !== 'string') return this.refuse(CLOSE_INVALID_DATA, 'Expected {"type":"msg","msg":"a line"}');
    this.call?.sendLine(msg);
    if (this.call?.congested === true) this.hold(this.call);
  }

  private refuse(code: number, why: string): void {
    this.refused('websocket message refused', { why });
    this.ws.send(notice(`${why}; closing the line.`));
    this.ws.close(code, why.slice(0, 100));
    this.call?.leave();
  }
}
