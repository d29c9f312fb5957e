/**
 * A telnet-speaking test peer: answers the proxy's negotiation as a real terminal does (DO ECHO,
 * DO SGA, WILL TTYPE with a terminal type, WILL NAWS with a size) and collects the screen text.
 */
import { connect, type Socket } from 'node:net';

const IAC = 255;
const [DONT, DO, WONT, WILL, SB, SE] = [254, 253, 252, 251, 250, 240];
const [ECHO, SGA, TTYPE, NAWS] = [1, 3, 24, 31];

export class TelnetCaller {
  /** Everything shown on the terminal, negotiation removed, decoded as UTF-8. */
  text = '';
  closed = false;
  private raw: number[] = [];
  /** Options the proxy refused (WONT or DONT), in the order it said so. */
  readonly refused: number[] = [];
  private probe = 100;
  private readonly watchers = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    private readonly terminal: string | null,
    private size: { readonly width: number; readonly height: number } = { width: 100, height: 30 },
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  /**
   * Connects (from `localAddress`, 127.0.0.1 unless given); `terminal` null means a client that
   * negotiates nothing (like nc). NAWS tells `size` (100 by 30 unless given).
   */
  static open(port: number, terminal: string | null, localAddress?: string, size?: { readonly width: number; readonly height: number }): Promise<TelnetCaller> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new TelnetCaller(socket, terminal, size)));
      socket.once('error', reject);
    });
  }

  private receive(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      const byte = chunk[i] as number;
      if (byte !== IAC || this.terminal === null) {
        this.raw.push(byte);
        i++;
        continue;
      }
      const command = chunk[i + 1] as number;
      const option = chunk[i + 2] as number;
      if (command === IAC) {
        this.raw.push(IAC);
        i += 2;
      } else if (command === SB) {
        const end = chunk.indexOf(SE, i);
        if (option === TTYPE) this.write([IAC, SB, TTYPE, 0, ...Buffer.from(this.terminal), IAC, SE]);
        i = end + 1;
      } else if (command === WILL || command === WONT) {
        if (command === WILL) this.write([IAC, option === ECHO || option === SGA ? DO : DONT, option]);
        else this.refused.push(option);
        i += 3;
      } else if (command === DO || command === DONT) {
        if (command === DO && option === TTYPE) this.write([IAC, WILL, TTYPE]);
        else if (command === DO && option === NAWS) this.write([IAC, WILL, NAWS, ...this.nawsSize()]);
        else if (command === DO) this.write([IAC, WONT, option]);
        i += 3;
      } else {
        i += 2;
      }
    }
    this.text = Buffer.from(this.raw).toString('utf8');
    this.notify();
  }

  private nawsSize(): number[] {
    const { width, height } = this.size;
    return [IAC, SB, NAWS, width >> 8, width & 0xff, height >> 8, height & 0xff, IAC, SE];
  }

  /** The terminal was resized: tells the proxy the new size (NAWS), as terminals do. */
  resize(width: number, height: number): void {
    this.size = { width, height };
    this.write(this.nawsSize());
  }

  /** Every byte shown on the terminal so far, negotiation removed (for terminals that are not UTF-8). */
  get bytes(): Buffer {
    return Buffer.from(this.raw);
  }

  private notify(): void {
    for (const watch of this.watchers) watch();
  }

  private write(bytes: number[]): void {
    this.socket.write(Buffer.from(bytes));
  }

  /** Resolves when the screen (from `from` on) contains `wanted`; rejects if the line closes first. */
  waitFor(wanted: string | RegExp, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const seen = this.text.slice(from);
        const found = typeof wanted === 'string' ? seen.includes(wanted) : wanted.test(seen);
        if (found) {
          this.watchers.delete(check);
          resolve(seen);
        } else if (this.closed) {
          this.watchers.delete(check);
          reject(new Error(`line closed before ${String(wanted)} appeared; screen was:\n${this.text}`));
        }
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Resolves when the proxy closes the line. */
  whenClosed(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.closed) {
          this.watchers.delete(check);
          resolve();
        }
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Types a line and Enter (CR LF), then waits for `next` to appear after it. */
  async type(line: string, next: string | RegExp): Promise<string> {
    const from = this.text.length;
    this.socket.write(`${line}\r\n`);
    return this.waitFor(next, from);
  }

  /** From the name prompt, signs up as `name` and goes on to the main menu. */
  async signUpToMenu(name: string, password: string): Promise<void> {
    await this.waitFor("What's your name?");
    await this.type(name, 'password');
    await this.type(password, '(Y/n)');
    await this.type('Y', 'again');
    await this.type(password, 'MOTD');
    await this.type('Y', 'MAIN MENU');
  }

  /**
   * Resolves once the proxy has read everything sent before: it answers DO for an option it lacks
   * with WONT, in order with the rest (a new option each time, as it refuses each only once).
   */
  async synced(): Promise<void> {
    const option = this.probe++;
    this.write([IAC, DO, option]);
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.refused.includes(option)) {
          this.watchers.delete(check);
          resolve();
        } else if (this.closed) {
          this.watchers.delete(check);
          reject(new Error(`line closed before the proxy refused option ${option}`));
        }
      };
      this.watchers.add(check);
      check();
    });
  }

  sendRaw(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}
