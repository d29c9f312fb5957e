/**
 * The connecting side of one ZMTP connection, as libzmq's connect() keeps it: dialled at once,
 * dialled again 100 ms after a refusal or a hang-up for as long as the socket is open, the
 * handshake ZmtpPeer's (ZMTP 3.0, NULL: the same both ways).
 */
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { ZmtpAddress } from './zmtp-endpoint.js';
import { ZmtpPeer } from './zmtp-peer.js';

// libzmq's ZMQ_RECONNECT_IVL default.
const REDIAL_MS = 100;
// A server not there yet (nothing listening, no socket file) is what redialling is for; any other
// failure to connect (EACCES, a path through a file) is said, or the backend would wait in silence.
// (EAGAIN: a Unix socket's listen backlog is full, the server busy rather than wrong.)
const AWAITED = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'ETIMEDOUT', 'EAGAIN']);
// The bound side's words would tell a handler to give the proxy a key: here the handler dials, and it is the one to be given keys.
const HUNG_UP = 'it hung up during the handshake, after our greeting (NULL security, ZMTP 3.0): a server set up for CURVE or PLAIN security does (for CURVE, give the handler --curve-key and --curve-server; or start the server without security)';

/** What a dialled connection tells the socket that owns it. */
export interface DialEvents {
  /** The stream is connected, before any handshake: a reason to hang up (an untrusted ipc folder), or undefined to go on. */
  vet?(): string | undefined;
  ready(peer: ZmtpPeer): void;
  message(parts: Buffer[], peer: ZmtpPeer): void;
  /** A ready peer's connection closed; it is dialled again. */
  gone(peer: ZmtpPeer): void;
  /** The handshake failed (`why`), vet() said no, or connecting failed other than by the server being away; dialled again all the same, as libzmq does. */
  refused(why: string): void;
}

export class ZmtpDialer {
  private socket: Socket | undefined;
  private peer: ZmtpPeer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly address: ZmtpAddress,
    private readonly ours: string,
    private readonly theirs: readonly string[],
    private readonly events: DialEvents,
  ) {
    this.dial();
  }

  /** The peer whose handshake is done, while there is one. */
  get current(): ZmtpPeer | undefined {
    return this.peer;
  }

  /** Stops dialling and hangs up; `flushMs` > 0 lets what was written go out first, for that long at most. */
  async close(flushMs = 0): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (socket === undefined) return;
    if (flushMs > 0 && this.peer !== undefined && socket.writableLength > 0) {
      let timer: NodeJS.Timeout | undefined;
      // 'finish' after end(): everything handed to the kernel, however little. ('drain' comes only
      // after a write that filled the buffer: a short reply would have waited the whole linger.)
      await new Promise<void>((done) => {
        timer = setTimeout(done, flushMs);
        socket.once('finish', done);
        socket.once('close', done);
        socket.end();
      });
      clearTimeout(timer);
    }
    socket.destroy();
  }

  private dial(): void {
    if (this.closed) return;
    const address = this.address;
    const socket = address.kind === 'ipc' ? connect(resolve(address.path)) : connect(address.port, address.host);
    this.socket = socket;
    let up = false;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!up && !this.closed && !AWAITED.has(error.code ?? '')) this.events.refused(`connecting failed (${error.code ?? error.message}); dialled again every ${REDIAL_MS} ms`);
    });
    socket.once('connect', () => {
      up = true;
      this.connected(socket);
    });
    socket.once('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (!this.closed) this.timer = setTimeout(() => this.dial(), REDIAL_MS);
    });
  }

  private connected(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const problem = this.events.vet?.();
    if (problem !== undefined) {
      socket.destroy();
      return this.events.refused(problem);
    }
    new ZmtpPeer(socket, this.ours, this.theirs, {
      ready: (peer) => {
        this.peer = peer;
        this.events.ready(peer);
      },
      // A handshake cut short by our own close is no refusal.
      refused: (_peer, why) => (this.closed ? undefined : this.events.refused(why)),
      message: (parts, peer) => this.events.message(parts, peer),
      gone: (peer) => {
        if (this.peer === peer) this.peer = undefined;
        this.events.gone(peer);
      },
    }, HUNG_UP);
  }
}
