/** What the coroutine engine (engine.ts) is given and what it offers: its options, its outbox and its interface. */
import type { Logger } from '../common/log.js';
import type { Mongrel2Request } from '../common/mongrel2-wire.js';
import type { HangUpOrder, HangUpOrders } from '../db/hang-up-orders.js';
import type { Flow } from './effects.js';
import type { EventBus } from './event-bus.js';
import type { Journal } from './journal.js';
import type { LineLimits } from './line-limits.js';
import type { PresenceHooks } from './presence.js';
import type { FlowStart } from './replay.js';
import type { Screens } from './screens.js';
import type { BackendServices } from './services.js';

/** Lines a caller may send ahead of the prompt that reads them, unless the backend allows more. */
export const DEFAULT_MAX_QUEUED_LINES = 32;

/** Where the engine's replies go: the transport frames them for the wire. */
export interface Outbox {
  reply(uuid: string, connId: string, body: string): void;
  close(uuid: string, connId: string): void;
}

export interface EngineOptions {
  /** The conversation from its start, or (durable conversations) from a checkpoint. */
  readonly startFlow: (start?: FlowStart) => Flow;
  readonly flowName: string;
  readonly services: BackendServices;
  /** Returns the screens in force now, so a reload takes effect at the next screen shown. */
  readonly screens: () => Screens;
  readonly outbox: Outbox;
  readonly log: Logger;
  /** Lines a caller may send ahead of the prompt that will read them. */
  readonly maxQueuedLines?: number;
  /** How many callers at once, and how long a silent one keeps a line. */
  readonly lines?: LineLimits;
  /** The clock idle times are measured on, in ms; `Date.now` unless a test drives it. */
  readonly now?: () => number;
  /** Makes conversations durable: journaled, and taken over from a backend that died. */
  readonly journal?: Journal | undefined;
  /** Each caller's line and the orders to hang one up (hang-up-watch.ts brings the orders). */
  readonly hangUps?: HangUpOrders | undefined;
  /** Who's online: the presence rows of the calls held here (presence.ts); none when not given. */
  readonly presence?: PresenceHooks | undefined;
  /** Events between backends (chat, pages); a local loop-back bus when not given. */
  readonly bus?: EventBus | undefined;
}

export interface Engine {
  receive(request: Mongrel2Request): void;
  /** Conversations in progress: the lines in use. */
  readonly liveSessions: number;
  /** Hangs up on every caller who has left a prompt unanswered past the idle limit; returns how many. */
  sweep(): number;
  /**
   * Ends every conversation (running their `finally` blocks), their callers being gone (the proxy
   * died); with `keepJournaled` (shutdown), journaled ones are left as they are instead, for
   * another backend to take over.
   */
  endAll(reason: string, keepJournaled?: boolean): void;
  /** The Mongrel2 server `uuid` restarted: its connection ids start again, its old calls are gone. */
  serverRestarted(uuid: string): void;
  /** Resolves once the `finally` blocks still waiting on a service call are done, or after `ms`. */
  cleanupsDone(ms: number): Promise<void>;
  /** Commits the journal rows (and sends the replies) that wait for the end of this turn. */
  flushCommits(): void;
  /** Carries out a hang-up order aimed at a line held here (hang-up-lines.ts); false when not held here. */
  hangUpLine(order: HangUpOrder): boolean;
  /** Refuses new conversations and takeovers from now on (busy), calling `changed` each time a session goes (drain.ts). */
  drain(changed: () => void): void;
  /** Sessions the m2bbs proxy can move away (its named calls): what a drain waits for. */
  readonly heldForProxy: number;
  /** Sessions forgotten because the proxy moved their call to another connection (DETACH), since start. */
  readonly detached: number;
  /** Stops taking events from the bus (the backend is closing; its sessions are ended or left for another backend). */
  stopEvents(): void;
}
