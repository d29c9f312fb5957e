/** A Mongrel2 handler that is not m2bbs's, for tests: plain ZeroMQ sockets speaking the protocol. */
import { Pull, XPublisher } from 'zeromq';
import { parseRequest, type Mongrel2Request } from '../../common/mongrel2-wire.js';

/** A handler that is not m2bbs's: plain ZeroMQ sockets speaking the Mongrel2 protocol. */
export class ForeignHandler {
  readonly requests: Mongrel2Request[] = [];
  /** How many parts each ZeroMQ message had: a Mongrel2 handler may read only the first. */
  readonly partCounts: number[] = [];
  private waiters: (() => void)[] = [];
  /**
   * Resolves once the server's SUB has subscribed: a PUB drops what it sends before that, so a
   * reply sent at once on a loaded machine could be lost (and the server answer NO ANSWER).
   */
  readonly subscribed: Promise<void>;
  private constructor(private readonly pull: Pull, private readonly pub: XPublisher) {
    this.subscribed = (async () => {
      for await (const [message] of pub) if (message?.[0] === 1) return;
    })().catch(() => {});
    void (async () => {
      for await (const parts of pull) {
        this.partCounts.push(parts.length);
        for (const frame of parts) this.requests.push(parseRequest(frame));
        for (const wake of this.waiters.splice(0)) wake();
      }
    })().catch(() => {});
  }
  static connect(sendSpec: string, recvSpec: string): ForeignHandler {
    const pull = new Pull();
    const pub = new XPublisher();
    pull.connect(sendSpec);
    pub.connect(recvSpec);
    return new ForeignHandler(pull, pub);
  }
  async next(match: (r: Mongrel2Request) => boolean): Promise<Mongrel2Request> {
    for (;;) {
      const found = this.requests.find(match);
      if (found !== undefined) {
        this.requests.splice(this.requests.indexOf(found), 1);
        return found;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
  async reply(frame: Buffer): Promise<void> {
    await this.subscribed;
    await this.pub.send(frame);
  }
  close(): void {
    this.pull.close();
    this.pub.close();
  }
}

