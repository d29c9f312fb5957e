/** A ZMTP peer written byte by byte, for tests of what a bound ZMTP endpoint does with hand-made (or hostile) bytes. */
import { connect, type Socket } from 'node:net';
import { until } from './process-tree.js';

/** A 64-byte greeting: ZMTP `major`.1 with `mechanism`. */
export function greeting(major = 3, mechanism = 'NULL'): Buffer {
  const bytes = Buffer.alloc(64);
  bytes[0] = 0xff;
  bytes[9] = 0x7f;
  bytes[10] = major;
  bytes[11] = 1;
  bytes.write(mechanism, 12, 'latin1');
  return bytes;
}

/** A command frame: its name, then `data`. */
export function command(name: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.concat([Buffer.from([name.length]), Buffer.from(name, 'latin1'), data]);
  return Buffer.concat([Buffer.from([0x04, body.length]), body]);
}

/** A READY command naming `socketType`. */
export function ready(socketType: string): Buffer {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(socketType.length);
  return command('READY', Buffer.concat([Buffer.from([11]), Buffer.from('Socket-Type', 'latin1'), value, Buffer.from(socketType, 'latin1')]));
}

/** A short message frame (`more` sets MORE). */
export function frame(body: Buffer | string, more = false): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([Buffer.from([more ? 1 : 0, bytes.length]), bytes]);
}

/** A raw TCP connection to a bound endpoint that keeps every byte it is sent. */
export class RawPeer {
  received = Buffer.alloc(0);
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  /** Connects to `endpoint` (tcp://host:port). */
  static async connect(endpoint: string): Promise<RawPeer> {
    const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(endpoint) ?? [];
    const socket = connect(Number(port), host ?? '127.0.0.1');
    await new Promise<void>((done, fail) => socket.once('connect', done).once('error', fail));
    return new RawPeer(socket);
  }

  write(...bytes: Buffer[]): void {
    this.socket.write(Buffer.concat(bytes));
  }

  /** Waits until what was written has gone to the kernel, or the connection has closed. */
  drained(): Promise<void> {
    return new Promise((done) => {
      const over = (): void => {
        this.socket.off('drain', over).off('close', over);
        done();
      };
      this.socket.on('drain', over).on('close', over);
    });
  }

  /** Waits until the bytes after the 64-byte greeting include `bytes`. */
  async receives(bytes: Buffer, what: string): Promise<void> {
    await until(() => (this.received.subarray(64).includes(bytes) ? true : undefined), what);
  }

  /** Waits until the endpoint has closed the connection. */
  async dropped(what: string): Promise<void> {
    await until(() => (this.closed ? true : undefined), what);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
