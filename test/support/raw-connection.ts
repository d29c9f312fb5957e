/** A plain TCP connection for tests that send half a request, or nothing: collects every byte and the close. */
import { connect, type Socket } from 'node:net';

export class RawConnection {
  /** Everything received so far, as latin1 text. */
  received = '';
  /** Resolves when the other side has closed the connection (or it broke). */
  readonly closed: Promise<void>;
  /** Resolves when the other side has ended its half (its FIN), or the connection closed. */
  readonly ended: Promise<void>;
  private readonly watchers = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      for (const watch of this.watchers) watch();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.ended = new Promise((resolve) => {
      socket.once('end', () => resolve());
      socket.once('close', () => resolve());
    });
  }

  /**
   * Connects to 127.0.0.1:`port`, from `localAddress` when given (any 127.x.y.z is loopback on Linux).
   * `halfOpen`: the connection never ends its own side when the other ends theirs (a client that
   * does not close), so it closes only when the other side cuts it.
   */
  static open(port: number, localAddress?: string, halfOpen = false): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: halfOpen, ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves once `text` has been received. */
  until(text: string): Promise<string> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.received.includes(text)) return;
        this.watchers.delete(check);
        resolve(this.received);
      };
      this.watchers.add(check);
      check();
    });
  }

  /**
   * Writes `bytes`, and again each time the last write was taken, until the connection closes: a
   * connection whose other side is gone is reset at a write (a half-open one, whose reading has
   * ended, hears of the reset only at the write after).
   */
  writeUntilClosed(bytes: string): Promise<void> {
    const again = (error?: Error | null): void => {
      if (error == null && !this.socket.destroyed) this.socket.write(bytes, again);
    };
    again();
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Closes with a TCP reset (RST), as a client that crashed or was cut off does. */
  reset(): void {
    this.socket.resetAndDestroy();
  }
}
