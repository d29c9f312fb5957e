/**
 * The front port's deadline for a request to arrive whole: HTTP request headers (each request of
 * a keep-alive connection, counted from the end of the response before it) or a JSON socket's
 * first frame. Node's own headersTimeout is checked only for connections of a server that listens
 * itself (connectionsCheckingInterval), and the front door hands HTTP its connections, so the
 * front door keeps this deadline instead. While a response is going out, the same time is what it
 * may go without the client taking a byte of it: a client that stops reading is reset, not held.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../common/log.js';
import { GOODBYE_LINGER_MS, exitFrame, httpText } from './refuse-connection.js';
import type { ErrorCode } from '../../common/errors.js';
import { createRefusalLog, type RefusalLog } from '../refusal-log.js';

const TIMED_OUT: ErrorCode = 'BBS_ERR_REQUEST_TIMEOUT';
const STALLED: ErrorCode = 'BBS_ERR_RESPONSE_STALLED';

/** What is expected on the connection: any byte yet, HTTP headers, or a JSON socket's first frame. */
export type Awaited = 'first-byte' | 'http' | 'json';

interface Entry {
  timer: NodeJS.Timeout | undefined;
  awaited: Awaited;
  /** Bytes read when the deadline started: a connection that sent nothing since is closed without a word. */
  readAtStart: number;
  /** HTTP requests read whose responses have not finished (pipelining). */
  inFlight: number;
  /** While responses are in flight: the bytes the kernel had taken when last looked at, and when they last grew. */
  sent: number;
  sentAt: number;
}

/** Deadlines for the connections of one front port. */
export class HeaderDeadlines {
  private readonly entries = new Map<Socket, Entry>();
  private readonly stallCheckMs: number;

  constructor(
    /** How long a request may take to arrive whole. */
    readonly ms: number,
    log: Logger,
    /** The proxy's one refusal log: a connection closed or reset here is logged there. */
    private readonly refusals: RefusalLog = createRefusalLog(log),
  ) {
    // Looked at four times a deadline: a stalled response is reset within 1.25 deadlines of its last byte taken.
    this.stallCheckMs = Math.ceil(ms / 4);
  }

  /** Starts the deadline of a connection just accepted; its owner calls done() when it closes. */
  start(socket: Socket): void {
    this.entries.set(socket, { timer: setTimeout(expire, this.ms, this, socket), awaited: 'first-byte', readAtStart: 0, inFlight: 0, sent: 0, sentAt: 0 });
  }

  /** The first byte said what the connection is; the deadline runs on from the accept. */
  expect(socket: Socket, awaited: Exclude<Awaited, 'first-byte'>): void {
    const entry = this.entries.get(socket);
    if (entry !== undefined) entry.awaited = awaited;
  }

  /**
   * An HTTP request's headers arrived whole: until its response has gone out, the deadline is on
   * the client taking bytes of it. Returns how many requests of the connection are now unanswered.
   */
  requestRead(socket: Socket): number {
    const entry = this.entries.get(socket);
    if (entry === undefined) return 0;
    if (entry.inFlight++ === 0) {
      clearTimeout(entry.timer);
      entry.sent = taken(socket);
      entry.sentAt = Date.now();
      entry.timer = setTimeout(stall, this.stallCheckMs, this, socket);
    }
    return entry.inFlight;
  }

  /** An HTTP response went out: the next request on a kept-alive connection has its own deadline. */
  responded(socket: Socket): void {
    const entry = this.entries.get(socket);
    if (entry === undefined || --entry.inFlight > 0 || socket.destroyed) return;
    clearTimeout(entry.timer);
    entry.readAtStart = socket.bytesRead;
    entry.timer = setTimeout(expire, this.ms, this, socket);
  }

  /** The connection is a call now (a WebSocket, a JSON socket's first frame) or closed: no more deadline. */
  done(socket: Socket): void {
    const entry = this.entries.get(socket);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.entries.delete(socket);
  }

  /** Connections waiting on a deadline now. */
  get pending(): number {
    return this.entries.size;
  }

  /** @internal The deadline passed: close, with a 408 or an `exit` reply if a request was begun. */
  expired(socket: Socket): void {
    const entry = this.entries.get(socket);
    if (entry === undefined) return;
    this.entries.delete(socket);
    const begun = socket.bytesRead > entry.readAtStart;
    this.refusals.refused('info', 'connection closed: request not whole in time', socket.remoteAddress, { code: TIMED_OUT, awaited: entry.awaited, begun, ms: this.ms });
    // A kept-alive connection's answers may still sit in the kernel behind a client that stopped
    // reading: a plain close would queue the FIN behind them and keep both; a reset drops them.
    if (!begun || entry.awaited === 'first-byte') return void (socket.bytesWritten > 0 ? socket.resetAndDestroy() : socket.destroy());
    socket.end(
      entry.awaited === 'http'
        ? httpText(408, 'Request Timeout', `The request did not arrive whole within ${this.ms} ms.`)
        : exitFrame(`Your first message did not arrive whole within ${this.ms} ms; closing the line.`),
    );
    setTimeout(destroy, GOODBYE_LINGER_MS, socket).unref();
  }

  /** @internal A look at a response going out: reset once the client has taken no byte of it for `ms`. */
  stalled(socket: Socket): void {
    const entry = this.entries.get(socket);
    if (entry === undefined || entry.inFlight === 0) return;
    const sent = taken(socket);
    if (sent !== entry.sent) {
      entry.sent = sent;
      entry.sentAt = Date.now();
    }
    if (Date.now() - entry.sentAt < this.ms) {
      entry.timer = setTimeout(stall, this.stallCheckMs, this, socket);
      return;
    }
    this.entries.delete(socket);
    this.refusals.refused('info', 'connection reset: response not read', socket.remoteAddress, { code: STALLED, unanswered: entry.inFlight, ms: this.ms });
    // A reset, not an end: the unsent bytes would otherwise stay in the kernel behind a closed window.
    socket.resetAndDestroy();
  }
}

/** Bytes the socket has handed to the kernel: dispatched writes less those not yet completed. */
function taken(socket: Socket): number {
  return socket.bytesWritten - socket.writableLength;
}

function stall(deadlines: HeaderDeadlines, socket: Socket): void {
  deadlines.stalled(socket);
}

function expire(deadlines: HeaderDeadlines, socket: Socket): void {
  deadlines.expired(socket);
}

function destroy(socket: Socket): void {
  socket.destroy();
}
