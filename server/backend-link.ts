/**
 * The proxy's side of one backend number, as Mongrel2 does it: PUSH bound to the backend's send
 * spec, SUB bound to its recv spec; the backend process connects to both.
 */
import { Push, Subscriber } from 'zeromq';
import type { CurveKeyPair } from '../common/curve-cert.js';
import { curveServerOptions } from '../common/curve-socket-options.js';
import { BbsError, describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { parseReply, type Mongrel2Reply } from '../common/mongrel2-wire.js';
import { receiveFrames } from '../common/receive-frames.js';
import { SendQueue } from '../common/send-queue.js';

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

// Enforcing the ZAP domain makes a missing ZAP handler refuse every peer, where libzmq would
// otherwise let any key in. The domain is the number, so the ZAP handler lets in only that
// number's keys: a key allowed for bbs.20 cannot attach to bbs.21 and take its callers.
function curveOptionsFor(number: string, endpoint: string, curve: CurveKeyPair | undefined): { curveServer?: boolean; curveSecretKey?: string; zapDomain?: string; zapEnforceDomain?: boolean } {
  if (curve === undefined || !endpoint.startsWith('tcp://')) return {};
  return curveServerOptions(curve.secretKey, number);
}

// How long closing a link with a backend connected may take to send what is queued for it.
const CLOSE_FLUSH_MS = 500;

export class BackendLink {
  private readonly outgoing: SendQueue;
  private readonly receiving: Promise<void>;
  private peers = 0;
  private upWaiters: (() => void)[] = [];
  private boundSpec: BackendSpec | undefined;
  /** When the backend last connected or replied (ms since the epoch), 0 if never. */
  lastHeard = 0;

  private constructor(
    readonly spec: BackendSpec,
    private readonly push: Push,
    private readonly sub: Subscriber,
    private readonly log: Logger,
    events: LinkEvents,
  ) {
    this.outgoing = new SendQueue(push, Promise.resolve(), (error) => log.error('request not sent', { error: describeError(error) }), { multipart: spec.batch === true });
    this.receiving = this.receive(events);
    // A backend process counts as up while its PULL socket is connected to our PUSH, from the end
    // of its handshake: a peer refused there (a wrong CURVE key, no key) never counts. Each refused
    // peer says so before its disconnect, which is then not one of a counted backend.
    let refusedPending = 0;
    push.events.on('handshake', () => {
      this.peers++;
      this.lastHeard = Date.now();
      this.log.info('backend connected', { peers: this.peers });
      for (const wake of this.upWaiters.splice(0)) wake();
      if (this.peers === 1) events.up?.(this);
    });
    const refused = (): void => void refusedPending++;
    push.events.on('handshake:error:auth', refused);
    push.events.on('handshake:error:protocol', refused);
    push.events.on('handshake:error:other', refused);
    push.events.on('disconnect', () => {
      if (refusedPending > 0) {
        refusedPending--;
        return;
      }
      this.peers = Math.max(0, this.peers - 1);
      this.log.info('backend disconnected', { peers: this.peers });
      if (this.peers === 0) events.down(this);
    });
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
    const push = new Push(curveOptionsFor(spec.number, spec.sendSpec, curve));
    const sub = new Subscriber(curveOptionsFor(spec.number, spec.recvSpec, curve));
    push.linger = 0;
    sub.linger = 0;
    // zeromq.js starts a socket's monitor on the first read of `events`: before the bind, so a
    // backend already running (a restarted proxy) that connects at once is never missed.
    void push.events;
    try {
      await push.bind(spec.sendSpec);
      await sub.bind(spec.recvSpec);
    } catch (error) {
      push.close();
      sub.close();
      const why = (error as { code?: unknown }).code === 'EADDRINUSE' ? 'another program holds that port' : (error as Error).message;
      throw new BbsError('BBS_ERR_ENDPOINT_BIND', `m2bbs proxy: backend ${spec.number}: cannot bind ${(error as { address?: string }).address ?? `${spec.sendSpec} / ${spec.recvSpec}`}: ${why}`, { cause: error });
    }
    sub.subscribe('');
    const link = new BackendLink(spec, push, sub, log.child({ backend: spec.number }), events);
    void link.bound;
    return link;
  }

  /** The endpoints as bound (with the real port where the spec asked for `*`); still readable once closed (a stopping proxy removes their files). */
  get bound(): BackendSpec {
    this.boundSpec ??= { ...this.spec, sendSpec: this.push.lastEndpoint ?? this.spec.sendSpec, recvSpec: this.sub.lastEndpoint ?? this.spec.recvSpec };
    return this.boundSpec;
  }

  /** Queues a request frame for the backend (held by ZeroMQ until a backend connects). */
  send(frame: Buffer): void {
    this.outgoing.push(frame);
  }

  private async receive(events: LinkEvents): Promise<void> {
    try {
      await receiveFrames(this.sub, (frame) => {
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
      if (!this.sub.closed) this.log.error('reply loop failed', { error: describeError(error) });
    }
  }

  /** Closes both sockets; with a backend connected, what was queued for it (a removed link's DETACHes) goes out first. */
  async close(): Promise<void> {
    if (this.up) {
      // Bounded: a backend that stopped reading must not hold up a stop.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.outgoing.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS)))]);
      clearTimeout(timer);
      // linger 0 would discard frames handed to the socket but not yet written out.
      this.push.linger = CLOSE_FLUSH_MS;
    }
    this.push.close();
    this.sub.close();
    await this.receiving;
  }
}
