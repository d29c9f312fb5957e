/**
 * The proxy's side of one backend number, as Mongrel2 does it: PUSH bound to the backend's send
 * spec, SUB bound to its recv spec; the backend process connects to both.
 */
import type { CurveKeyPair } from '../common/curve-cert.js';
import { BbsError, describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { parseReply, type Mongrel2Reply } from '../common/mongrel2-wire.js';
import { SendQueue } from '../common/send-queue.js';
import { openLinkSockets, type LinkSockets } from './link-sockets.js';

/** One backend number and its two endpoints. */
export interface BackendSpec {
  readonly number: string;
  readonly sendSpec: string;
  readonly recvSpec: string;
  /** How many callers the backend takes at once, when the proxy is told. */
  readonly lines?: number;
  /** The backend is an m2bbs backend, which reads every part of a multipart message. */
  readonly batch?: boolean;
}

export interface LinkEvents {
  reply(reply: Mongrel2Reply, link: BackendLink): void;
  /** The last backend process on this number went away. */
  down(link: BackendLink): void;
  /** The link got its first backend process (at start, or again after every one had gone). */
  up?(link: BackendLink): void;
}

// How long closing a link with a backend connected may take to send what is queued for it.
const CLOSE_FLUSH_MS = 500;

/**
 * Requests queued for a backend past what its sockets take (a ZMTP peer at its high-water mark),
 * in bytes, past which the link is congested: callers who send to it are not read until the queue
 * is down to half of it, so what callers send faster than the backend reads waits in their own
 * connections (the kernel, TCP), not in the proxy.
 */
export const LINK_HIGH_WATER_BYTES = 1024 * 1024;

export class BackendLink {
  private readonly outgoing: SendQueue;
  private readonly receiving: Promise<void>;
  private peers = 0;
  private upWaiters: (() => void)[] = [];
  /** Told once the link is no longer congested (or its backend went, or it closed). */
  private clearWaiters: (() => void)[] = [];
  /** When the backend last connected or replied (ms since the epoch), 0 if never. */
  lastHeard = 0;

  private constructor(
    readonly spec: BackendSpec,
    private readonly sockets: LinkSockets,
    private readonly log: Logger,
    events: LinkEvents,
  ) {
    this.outgoing = new SendQueue(sockets.sink, Promise.resolve(), (error) => log.error('request not sent', { error: describeError(error) }), { multipart: spec.batch === true, sent: () => this.sent() });
    this.receiving = this.receive(events);
  }

  // A backend process counts as up while its PULL socket is connected to our PUSH, from the end of
  // its handshake: a peer refused there (a wrong CURVE key, no key, an old ZeroMQ) never counts.
  private connected(events: LinkEvents): void {
    this.peers++;
    this.lastHeard = Date.now();
    this.log.info('backend connected', { peers: this.peers });
    for (const wake of this.upWaiters.splice(0)) wake();
    if (this.peers === 1) events.up?.(this);
  }

  private disconnected(events: LinkEvents): void {
    this.peers = Math.max(0, this.peers - 1);
    this.log.info('backend disconnected', { peers: this.peers });
    if (this.peers === 0) {
      // Its calls move or drop: their callers are read again, and wait on wherever they went.
      this.wakeClear();
      events.down(this);
    }
  }

  /** True while the requests queued for the backend are past the high-water mark: its callers are not read. */
  get congested(): boolean {
    return this.outgoing.bytes > LINK_HIGH_WATER_BYTES;
  }

  /** Calls `wake` once the link is no longer congested (at once if it is not), or its backend went, or it closed. */
  whenClear(wake: () => void): void {
    if (this.congested) this.clearWaiters.push(wake);
    else wake();
  }

  /** Bytes of requests queued for the backend, not yet taken by its sockets. */
  get queuedBytes(): number {
    return this.outgoing.bytes;
  }

  private sent(): void {
    if (this.clearWaiters.length > 0 && this.outgoing.bytes <= LINK_HIGH_WATER_BYTES / 2) this.wakeClear();
  }

  private wakeClear(): void {
    for (const wake of this.clearWaiters.splice(0)) wake();
  }

  /** True while at least one backend process is connected to this number. */
  get up(): boolean {
    return this.peers > 0;
  }

  /** Resolves once a backend process is connected (at once if one is). */
  whenUp(): Promise<void> {
    return this.up ? Promise.resolve() : new Promise((resolve) => this.upWaiters.push(resolve));
  }

  /**
   * Binds both endpoints; fails (naming the endpoint) when either cannot be bound. With `curve`,
   * a tcp:// endpoint is a CURVE server whose peers the ZAP handler must let in.
   */
  static async open(spec: BackendSpec, log: Logger, events: LinkEvents, curve?: CurveKeyPair): Promise<BackendLink> {
    const linkLog = log.child({ backend: spec.number });
    // The sockets report peers from their bind on (a backend already running, as after a proxy
    // restart, connects at once); the link they report to exists once the bind is done.
    let link: BackendLink | undefined;
    const early: ((link: BackendLink) => void)[] = [];
    const whenLinked = (act: (link: BackendLink) => void): void => (link === undefined ? void early.push(act) : act(link));
    let sockets: LinkSockets;
    try {
      sockets = await openLinkSockets(
        spec,
        {
          connected: () => whenLinked((l) => l.connected(events)),
          disconnected: () => whenLinked((l) => l.disconnected(events)),
          refused: (why) => linkLog.warn('backend refused at its handshake', { why }),
        },
        curve,
      );
    } catch (error) {
      const why = (error as { code?: unknown }).code === 'EADDRINUSE' ? 'another program holds that port' : (error as Error).message;
      throw new BbsError('BBS_ERR_ENDPOINT_BIND', `m2bbs proxy: backend ${spec.number}: cannot bind ${(error as { address?: string }).address ?? `${spec.sendSpec} / ${spec.recvSpec}`}: ${why}`, { cause: error });
    }
    link = new BackendLink(spec, sockets, linkLog, events);
    for (const act of early.splice(0)) act(link);
    return link;
  }

  /** The endpoints as bound (with the real port where the spec asked for `*`); still readable once closed (a stopping proxy removes their files). */
  get bound(): BackendSpec {
    return { ...this.spec, sendSpec: this.sockets.sendSpec, recvSpec: this.sockets.recvSpec };
  }

  /** Queues a request frame for the backend (held by ZeroMQ until a backend connects). */
  send(frame: Buffer): void {
    this.outgoing.push(frame);
  }

  private async receive(events: LinkEvents): Promise<void> {
    try {
      await this.sockets.receive((frame) => {
        let reply: Mongrel2Reply;
        try {
          reply = parseReply(frame);
        } catch (error) {
          this.log.warn('malformed reply frame dropped', { error: describeError(error), bytes: frame.length });
          return;
        }
        this.lastHeard = Date.now();
        events.reply(reply, this);
      });
    } catch (error) {
      this.log.error('reply loop failed', { error: describeError(error) });
    }
  }

  /** Closes both sockets; with a backend connected, what was queued for it (a removed link's DETACHes) goes out first. */
  async close(): Promise<void> {
    this.wakeClear();
    if (this.up) {
      // Bounded: a backend that stopped reading must not hold up a stop.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.outgoing.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS)))]);
      clearTimeout(timer);
    }
    await this.sockets.close(this.up ? CLOSE_FLUSH_MS : 0);
    await this.receiving;
  }
}
