/**
 * The two connecting sockets of a handler's side of the Mongrel2 protocol, in Node without
 * libzmq: PULL (requests in from the server's PUSH) and PUB (replies out to the server's SUB,
 * sent only as far as its subscriptions ask, as libzmq's PUB filters). Each dials one endpoint
 * and dials again while it is open (see ZmtpDialer).
 */
import { encodeMessage } from './zmtp-frames.js';
import { zmtpAddress, type ZmtpAddress } from './zmtp-endpoint.js';
import { ZmtpDialer, type DialEvents } from './zmtp-dialer.js';
import type { ZmtpPeer } from './zmtp-peer.js';

/** What a dialling socket tells its owner. */
export interface DialWatch {
  connected(): void;
  disconnected(): void;
  /** The handshake failed, or the connection was vetoed (`why`); it is dialled again. */
  refused(why: string): void;
  /** Asked at each connection before the handshake: a reason to hang up, or undefined. */
  vet?(): string | undefined;
}

// A peer holding this much unsent gets nothing more until it reads, as libzmq's PUB drops at its high-water mark.
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
// What one server may make a PUB hold and scan at each send: a Mongrel2 subscribes to its one
// UUID, the m2bbs proxy to everything; thousands of topics are a broken or hostile server.
/** The most subscriptions a PUB keeps per connection; more are ignored. */
export const MAX_SUBSCRIPTIONS = 1024;
/** The most bytes of subscribed topics a PUB keeps per connection; more are ignored. */
export const MAX_SUBSCRIPTION_BYTES = 256 * 1024;
const SUBSCRIBE = 1;
const UNSUBSCRIBE = 0;

/** Whether ZMTP in Node connects to `endpoint`: ipc://, or tcp:// to an IP address (or localhost) and a port. */
export function zmtpDialable(endpoint: string): boolean {
  const address = zmtpAddress(endpoint);
  return address !== undefined && (address.kind === 'ipc' || (address.port !== 0 && address.host !== '0.0.0.0' && !endpoint.includes('*')));
}

function addressOf(endpoint: string): ZmtpAddress {
  const address = zmtpAddress(endpoint);
  if (address === undefined || !zmtpDialable(endpoint)) throw Object.assign(new Error(`ZMTP in Node does not connect to ${endpoint}`), { address: endpoint });
  return address;
}

abstract class DiallingSocket {
  protected dialer: ZmtpDialer | undefined;

  protected constructor(
    private readonly ours: string,
    private readonly theirs: readonly string[],
    protected readonly watch: DialWatch,
  ) {}

  /** Dials `endpoint` (tcp:// to an IP address and port, or ipc://) now and whenever the connection is lost. */
  connect(endpoint: string): void {
    if (this.dialer !== undefined) throw new Error(`Expected one connect per socket, got a second (${endpoint})`);
    const events: DialEvents = {
      vet: () => this.watch.vet?.(),
      ready: (peer) => this.ready(peer),
      message: (parts, peer) => this.message(parts, peer),
      gone: (peer) => this.gone(peer),
      refused: (why) => this.watch.refused(why),
    };
    this.dialer = new ZmtpDialer(addressOf(endpoint), this.ours, this.theirs, events);
  }

  /** Stops dialling; `flushMs` > 0 lets what was sent go out first, for that long at most. */
  close(flushMs = 0): Promise<void> {
    return this.dialer?.close(flushMs) ?? Promise.resolve();
  }

  protected ready(_peer: ZmtpPeer): void {
    this.watch.connected();
  }

  protected gone(_peer: ZmtpPeer): void {
    this.watch.disconnected();
  }

  protected abstract message(parts: Buffer[], peer: ZmtpPeer): void;
}

/** PULL: every message the server's PUSH deals to this socket. */
export class ZmtpPull extends DiallingSocket {
  onMessage: ((parts: Buffer[]) => void) | undefined;

  constructor(watch: DialWatch) {
    super('PULL', ['PUSH'], watch);
  }

  protected message(parts: Buffer[]): void {
    this.onMessage?.(parts);
  }
}

/**
 * PUB: each message to the server if its first part starts with one of the server's
 * subscriptions (ZMTP 3.0's: a message whose first byte is 1 to subscribe, 0 to cancel, then the
 * prefix); dropped while nobody is subscribed or the server is not reading, as libzmq's PUB does.
 * Unlike libzmq's, it keeps at most MAX_SUBSCRIPTIONS topics (MAX_SUBSCRIPTION_BYTES in all) per connection.
 */
export class ZmtpPub extends DiallingSocket {
  /** The server subscribed to `topic` (the empty string: everything). */
  onSubscribe: ((topic: Buffer) => void) | undefined;
  /** A subscription past MAX_SUBSCRIPTIONS or MAX_SUBSCRIPTION_BYTES was ignored (`count` so far on this connection). */
  onIgnored: ((topic: Buffer, count: number) => void) | undefined;
  /** Messages dropped because the server had read nothing for HIGH_WATER_BYTES. */
  dropped = 0;
  private subscriptions: Buffer[] = [];
  private subscriptionBytes = 0;
  private ignored = 0;

  constructor(watch: DialWatch) {
    super('PUB', ['SUB', 'XSUB'], watch);
  }

  /** Sends `message` (its parts as one multipart message) when the server subscribes to it; never waits. */
  send(message: Buffer | Buffer[]): Promise<void> {
    const peer = this.dialer?.current;
    if (peer === undefined) return RESOLVED;
    const first = Buffer.isBuffer(message) ? message : message[0];
    if (first === undefined || !this.subscriptions.some((topic) => startsWith(first, topic))) return RESOLVED;
    if (peer.backlog >= HIGH_WATER_BYTES) this.dropped++;
    else peer.write(encodeMessage(message));
    return RESOLVED;
  }

  protected override ready(peer: ZmtpPeer): void {
    // A new connection brings its subscriptions again.
    this.subscriptions = [];
    this.subscriptionBytes = 0;
    this.ignored = 0;
    super.ready(peer);
  }

  protected message(parts: Buffer[]): void {
    const body = parts[0];
    if (parts.length !== 1 || body === undefined || body.length === 0) return;
    const topic = Buffer.from(body.subarray(1));
    if (body[0] === SUBSCRIBE) {
      if (this.subscriptions.length >= MAX_SUBSCRIPTIONS || this.subscriptionBytes + topic.length > MAX_SUBSCRIPTION_BYTES) {
        this.ignored++;
        return this.onIgnored?.(topic, this.ignored);
      }
      this.subscriptions.push(topic);
      this.subscriptionBytes += topic.length;
      this.onSubscribe?.(topic);
    } else if (body[0] === UNSUBSCRIBE) {
      const at = this.subscriptions.findIndex((held) => held.equals(topic));
      if (at < 0) return;
      this.subscriptions.splice(at, 1);
      this.subscriptionBytes -= topic.length;
    }
  }
}

const RESOLVED = Promise.resolve();

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return prefix.length <= bytes.length && bytes.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
