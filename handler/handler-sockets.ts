/**
 * A backend's two sockets, as a Mongrel2 handler's: PULL connected to the server's send spec
 * (requests in), PUB connected to its recv spec (replies out). ZMTP in Node (common/zmtp/) on
 * plain tcp:// and ipc:// endpoints, with no I/O thread between the requests and the engine;
 * libzmq (zeromq.js) for CURVE, for endpoints named by host name, and with M2BBS_ZMQ_LIBRARY=1.
 * Both speak the same wire.
 */
import type { HandlerCurve } from '../common/curve-flags.js';
import type { Logger } from '../common/log.js';
import type { FrameSink } from '../common/send-queue.js';
import { zmtpDialable } from '../common/zmtp/zmtp-dialing-sockets.js';
import { openZeromqHandlerSockets } from './zeromq-handler-sockets.js';
import { openZmtpHandlerSockets } from './zmtp-handler-sockets.js';

/** How long replies sent before a backend stops may take to reach the server. */
export const REPLY_LINGER_MS = 2000;

/** What the sockets tell the backend about the server. */
export interface HandlerSocketEvents {
  /** The server's request connection went away: it may come back as a restarted Mongrel2. */
  requestsLost(): void;
  /** The server connected to this backend's replies (true) or went away from them (false). */
  heard(connected: boolean): void;
  /** The server subscribed: replies reach it from now on. */
  subscribed(): void;
  /** Run at every (re)connection: for an ipc folder no longer trusted, a problem (the backend stops), else undefined. */
  guard(source: string, spec: string): string | undefined;
}

export interface HandlerSockets {
  /** Who speaks ZMTP for them, for the log. */
  readonly zmtp: 'node' | 'libzmq';
  /** Where replies go (PUB). */
  readonly replies: FrameSink;
  /** Connects both sockets (they dial again by themselves while the server is away) and hands every frame of every request message to `onFrame` until the requests are closed. */
  connect(onFrame: (frame: Buffer) => void): Promise<void>;
  /** Takes no more requests; receive's promise resolves. */
  closeRequests(): void;
  /** Closes the replies once what was sent has gone, REPLY_LINGER_MS at most. */
  closeReplies(): Promise<void>;
}

export interface HandlerEndpoints {
  readonly sendSpec: string;
  readonly recvSpec: string;
  readonly curve?: HandlerCurve | undefined;
}

/** Creates both sockets, not connected yet. */
export function openHandlerSockets(endpoints: HandlerEndpoints, events: HandlerSocketEvents, log: Logger): HandlerSockets {
  const inNode = endpoints.curve === undefined && process.env.M2BBS_ZMQ_LIBRARY !== '1' && zmtpDialable(endpoints.sendSpec) && zmtpDialable(endpoints.recvSpec);
  return inNode ? openZmtpHandlerSockets(endpoints, events, log) : openZeromqHandlerSockets(endpoints, events, log);
}
