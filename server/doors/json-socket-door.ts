/**
 * The JSON-socket door: Mongrel2's `@route {json}\0` protocol on the HTTP port. Replies go out as
 * base64 of the body followed by `\0`, as the original client.py and browser page expect.
 */
import type { Socket } from 'node:net';
import { decodeBbsMessage, encodeBbsMessage } from '../../common/bbs-messages.js';
import type { Logger } from '../../common/log.js';
import type { ConnectionCaps } from '../connection-caps.js';
import type { Call, Line, Switchboard } from '../line.js';
import { NOT_READING, createOutputLimit, type OutputLimit } from '../output-limit.js';
import { JsonSocketFramer, httpError, type FrameError } from './json-socket-framer.js';
import { ReadHold } from './read-hold.js';
import { HANG_UP_LINGER_MS, exitFrame } from './refuse-connection.js';
import { namesKeyTwice } from '../../common/json-keys.js';
import type { RefusalLog } from '../refusal-log.js';
import { clampColumns } from '../../common/terminal-columns.js';
import { fromDialClient } from '../../common/dial-client.js';

export interface JsonSocketDoorOptions {
  readonly switchboard: Switchboard;
  readonly log: Logger;
  readonly maxFrameBytes?: number;
  /** The cap on bytes waiting for one caller, shared by every door of a proxy (1 MiB by default). */
  readonly output?: OutputLimit;
  /** The proxy's caps: a caller who logs in stops counting against their address. */
  readonly caps?: ConnectionCaps;
  /** Told when the connection's first frame arrived whole (the front door's deadline is met). */
  readonly firstFrame?: (socket: Socket) => void;
  /** The proxy's one refusal log; without it each refusal is a line (a door alone, in a test). */
  readonly refusals?: RefusalLog;
  /**
   * How long a connection may go without making a call, a line (`{"type":"msg","msg":...}`)
   * reaching a backend, before it is told and closed: pings make none, and until a backend holds a
   * conversation its idle limits cannot hang up (default NO_CALL_TIMEOUT_MS; 0: never).
   */
  readonly noCallTimeoutMs?: number;
}

/** A connection's time to make a call: a backend's --idle-before-typing by default, the 30 s a silent caller may hold a line. */
export const NO_CALL_TIMEOUT_MS = 30_000;

/** Replies held for the end of a tick are written at once past this many bytes. */
const FLUSH_AT = 64 * 1024;
/** How long a caller closed for not reading keeps the socket, to read the goodbye if they start. */
const OVERFLOW_LINGER_MS = 5000;

/** Routes made only of letters and `/` swallow pings, as Mongrel2's do; numbered routes forward them. */
const PING_SWALLOWING_ROUTE = /^@[a-z/]+$/;

/** Serves one JSON-socket connection whose first bytes (`firstChunk`) were already read. */
export function serveJsonSocket(socket: Socket, firstChunk: Buffer, options: JsonSocketDoorOptions): void {
  const connection = new JsonSocketConnection(socket, options, options.output ?? createOutputLimit());
  CONNECTIONS.set(socket, connection);
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
  connection.receive(firstChunk);
}

// The same three listeners for every socket (`this` is the socket): no closures per caller.
const CONNECTIONS = new WeakMap<Socket, JsonSocketConnection>();

function onData(this: Socket, chunk: Buffer): void {
  CONNECTIONS.get(this)?.receive(chunk);
}

function onError(this: Socket, error: Error): void {
  CONNECTIONS.get(this)?.log('debug', 'json socket error', { error: error.message });
}

function onClose(this: Socket): void {
  CONNECTIONS.get(this)?.closed();
}

// One per caller, kept for the whole call: a class, so its methods are shared rather than a set
// of closures (and a child logger) per connection.
class JsonSocketConnection implements Line {
  private readonly framer: JsonSocketFramer;
  private readonly remoteAddr: string;
  private call: Call | undefined;
  // The route the caller dialled: still theirs after the call moved to another number (a drain).
  private dialledRoute = '';
  private closing = false;
  /** The client's width as it last said (`columns` in a message); undefined until it does. */
  private width: number | undefined;
  /** Replies of this tick not yet written, already base64 and NUL-terminated. */
  private unsent = '';
  /** A line has reached a backend: its conversation, and its idle limits, have begun. */
  private talking = false;
  /** Until the caller makes a call (NO_CALL_TIMEOUT_MS); set only if its first bytes made none. */
  private noCall: NodeJS.Timeout | undefined;
  /** Made once what the caller sent first waits for the backend (the call is congested). */
  private readHold: ReadHold | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly options: JsonSocketDoorOptions,
    private readonly output: OutputLimit,
  ) {
    this.framer = new JsonSocketFramer(options.maxFrameBytes ?? 64 * 1024);
    this.remoteAddr = socket.remoteAddress ?? 'unknown';
  }

  log(level: 'debug' | 'info' | 'warn', msg: string, fields: Readonly<Record<string, unknown>>): void {
    const where = { door: 'json', remote: this.remoteAddr, ...(this.call === undefined ? {} : { conn: this.call.id }) };
    this.options.log[level](msg, { ...where, ...fields });
  }

  // Lines written once per connection turned away or closed: through the proxy's one refusal log.
  private refused(level: 'info' | 'warn', msg: string, fields: Readonly<Record<string, unknown>>): void {
    const all = { door: 'json', ...(this.call === undefined ? {} : { conn: this.call.id }), ...fields };
    if (this.options.refusals !== undefined) this.options.refusals.refused(level, msg, this.remoteAddr, all);
    else this.log(level, msg, all);
  }

  deliver(body: Buffer | string): void {
    if (this.closing) return;
    // Replies come in runs (a screen, its prompt): held until this tick ends, they leave in one
    // write rather than a system call each. Base64 is ASCII, so latin1 writes it byte for byte.
    if (this.unsent === '') process.nextTick(flush, this);
    this.unsent += `${(typeof body === 'string' ? Buffer.from(body) : body).toString('base64')}\0`;
    // A long run goes now: held to the end of the tick it would count against the caller's cap.
    if (this.unsent.length >= FLUSH_AT) this.flush();
    const unread = this.socket.writableLength;
    if (this.output.exceeded(unread, this.unsent.length)) this.overflow(unread + this.unsent.length);
  }

  flush(): void {
    const unsent = this.unsent;
    this.unsent = '';
    if (unsent === '' || this.socket.destroyed) return;
    this.socket.write(unsent, 'latin1');
    // A caller who does not read must not be able to make the backend say more meanwhile.
    if (this.socket.writableLength > this.output.highWaterBytes && !this.socket.isPaused()) {
      this.socket.pause();
      this.socket.once('drain', resume);
    }
  }

  hangUp(): void {
    this.flush();
    this.end();
  }

  // Ends the proxy's side; a client that never closes its own is cut after the goodbye's linger.
  private end(last?: string): void {
    this.ending();
    clearTimeout(this.noCall);
    this.noCall = undefined;
    if (last === undefined) this.socket.end();
    else this.socket.end(last);
    setTimeout(destroy, HANG_UP_LINGER_MS, this.socket).unref();
  }

  // Every JSON-socket client shows a reply's msg, whatever its type; `exit` also ends it.
  notice(text: string): void {
    this.deliver(encodeBbsMessage({ type: 'notice', msg: text }));
  }

  dropped(text: string): void {
    this.deliver(encodeBbsMessage({ type: 'exit', msg: text }));
    this.hangUp();
  }

  loggedIn(): void {
    this.options.caps?.loggedIn(this.socket);
  }

  columns(): number | undefined {
    return this.width;
  }

  // A client tells its width in any message it sends (`"columns":N`, 20..250); anything else there is ignored.
  private noteColumns(body: Buffer): void {
    if (!body.includes('"columns"')) return;
    try {
      const data = JSON.parse(body.toString('utf8')) as unknown;
      if (typeof data === 'object' && data !== null) this.width = clampColumns((data as { columns?: unknown }).columns) ?? this.width;
    } catch {
      // Not JSON: the backend says so to the caller; the width stays as it was.
    }
  }

  receive(chunk: Buffer): void {
    if (this.closing) return;
    const { frames, error } = this.framer.push(chunk);
    const { switchboard } = this.options;
    if (this.call === undefined && frames.length > 0) this.options.firstFrame?.(this.socket);
    for (const frame of frames) {
      if (this.closing) return;
      if (!switchboard.knows(frame.route)) return this.refuse({ status: 404, reason: `no number ${frame.route}` });
      if (this.call === undefined) {
        const dialled = switchboard.dial(this, { door: fromDialClient(frame.body) ? 'client' : 'json', remoteAddr: this.remoteAddr, route: frame.route });
        if (!dialled.ok) return this.hangUpWith(dialled.message);
        this.call = dialled.call;
        this.dialledRoute = frame.route;
      } else if (frame.route !== '@bbs' && frame.route !== this.dialledRoute && frame.route !== `@${this.call.number}`) {
        return this.refuse({ status: 400, reason: `this connection is on @${this.call.number}, not ${frame.route}` });
      }
      if (PING_SWALLOWING_ROUTE.test(frame.route) && isPing(frame.body)) continue;
      this.noteColumns(frame.body);
      this.call.send(frame.body);
      if (!this.talking && isLine(frame.body)) this.talked();
    }
    if (error !== undefined) return this.refuse(error);
    if (this.call?.congested === true && !this.closing) (this.readHold ??= new ReadHold(this.socket, () => (this.closing ? undefined : this.call))).check();
    this.awaitCall();
  }

  private talked(): void {
    this.talking = true;
    clearTimeout(this.noCall);
    this.noCall = undefined;
  }

  // Pings on @bbs reach no backend, and a first line that is no line starts no conversation: the
  // backend's idle limits never apply to such a connection, so it is given a limit of its own.
  private awaitCall(): void {
    const ms = this.options.noCallTimeoutMs ?? NO_CALL_TIMEOUT_MS;
    if (this.talking || this.closing || this.noCall !== undefined || ms === 0) return;
    this.noCall = setTimeout(noCallMade, ms, this).unref();
  }

  /** @internal The connection made no call in time: told, and closed. */
  noCallMade(): void {
    this.noCall = undefined;
    if (this.talking || this.closing) return;
    const ms = this.options.noCallTimeoutMs ?? NO_CALL_TIMEOUT_MS;
    this.refused('info', 'json socket closed: no call made in time', { ms });
    this.flush();
    this.call?.leave();
    this.end(exitFrame(noCallMessage(ms)));
  }

  // No more is read for the call; a caller held is read again, so their hang-up is heard.
  private ending(): void {
    this.closing = true;
    this.readHold?.release();
  }

  // Told in a reply after everything held for them, closed now for the backend and the proxy.
  private overflow(bytes: number): void {
    this.refused('warn', 'caller not reading; line closed', { bytes, max: this.output.maxBytes });
    this.output.closedOne();
    this.unsent = '';
    this.ending();
    this.call?.leave();
    this.socket.end(exitFrame(NOT_READING));
    setTimeout(destroy, OVERFLOW_LINGER_MS, this.socket).unref();
  }

  closed(): void {
    this.closing = true;
    clearTimeout(this.noCall);
    this.noCall = undefined;
    this.call?.leave();
  }

  private refuse(error: FrameError): void {
    // A flood of bad routes or frames from an address costs a line a minute, not one each.
    this.refused('warn', 'json socket refused', { status: error.status, reason: error.reason });
    this.flush();
    this.ending();
    this.call?.leave();
    this.end(httpError(error.status));
  }

  // An `exit` reply is what every JSON-socket client already shows and stops on.
  private hangUpWith(msg: string): void {
    this.refused('info', 'json socket caller not connected', { why: msg });
    this.flush();
    this.end(exitFrame(msg));
  }
}

function flush(connection: JsonSocketConnection): void {
  connection.flush();
}

function resume(this: Socket): void {
  if (!this.destroyed) this.resume();
}

function destroy(socket: Socket): void {
  socket.destroy();
}

function noCallMade(connection: JsonSocketConnection): void {
  connection.noCallMade();
}

/** What a connection that made no call in time is told. */
export function noCallMessage(ms: number): string {
  const time = ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
  return `Nothing reached the BBS in the ${time} since you called (a ping makes no call), so the line is closed. Call again and send {"type":"msg","msg":"connect"} when you are ready.`;
}

function isPing(body: Buffer): boolean {
  // Most messages are lines typed: only what could be a ping is parsed to be sure. A body naming
  // `type` twice is no ping (JSON.parse keeps the last): it goes on, for the backend to say so.
  return body.includes('ping') && decodeBbsMessage(body)?.type === 'ping' && !namesKeyTwice(body.toString('utf8'), 'type');
}

/** A line typed (`{"type":"msg","msg":"..."}`): what starts a backend's conversation, and its idle limits. */
function isLine(body: Buffer): boolean {
  if (!body.includes('msg')) return false;
  try {
    const text = body.toString('utf8');
    const data = JSON.parse(text) as { type?: unknown; msg?: unknown } | null;
    return typeof data === 'object' && data !== null && data.type === 'msg' && typeof data.msg === 'string' && !namesKeyTwice(text, 'type');
  } catch {
    return false;
  }
}
