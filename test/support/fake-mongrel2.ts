/**
 * Plays Mongrel2's side of the handler protocol on real ZeroMQ sockets: binds PUSH (send spec)
 * and SUB (recv spec) on ephemeral loopback ports, sends request frames, collects reply frames.
 */
import type { Push, Subscriber } from 'zeromq';
import { receiveFrames } from '../../common/receive-frames.js';
import { bindServerSockets } from '../../common/server-sockets.js';
import { encodeDisconnect, encodeRequest, parseReply, type HeaderFormat } from '../../common/mongrel2-wire.js';
import type { Reply } from '../../handler/replies.js';

export const M2_UUID = '54c6755b-9628-40a4-9a2d-cc82a816345e';

/** What one connection received: a reply, or the close (an empty body). */
export type Received = { readonly reply: Reply; readonly frame: Buffer } | { readonly closed: true; readonly frame: Buffer };

class Inbox {
  readonly items: Received[] = [];
  private waiter: (() => void) | undefined;
  push(item: Received): void {
    this.items.push(item);
    this.waiter?.();
    this.waiter = undefined;
  }
  async take(): Promise<Received> {
    while (this.items.length === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.items.shift() as Received;
  }
}

export class FakeMongrel2 {
  private readonly inboxes = new Map<string, Inbox>();
  readonly frames: Buffer[] = [];
  /** How many frames each ZeroMQ message carried, in the order the messages came. */
  readonly partsPerMessage: number[] = [];
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly push: Push,
    private readonly sub: Subscriber,
    readonly sendSpec: string,
    readonly recvSpec: string,
  ) {}

  static async start(): Promise<FakeMongrel2> {
    const { push, sub, sendSpec, recvSpec } = await bindServerSockets();
    const server = new FakeMongrel2(push, sub, sendSpec, recvSpec);
    server.loop = server.receive();
    return server;
  }

  private inbox(connId: string): Inbox {
    let inbox = this.inboxes.get(connId);
    if (inbox === undefined) this.inboxes.set(connId, (inbox = new Inbox()));
    return inbox;
  }

  private async receive(): Promise<void> {
    try {
      await receiveFrames(this.sub, (frame, part) => {
        if (part === 0) this.partsPerMessage.push(1);
        else this.partsPerMessage.push((this.partsPerMessage.pop() ?? 0) + 1);
        this.frames.push(frame);
        const reply = parseReply(frame);
        for (const connId of reply.connIds) {
          this.inbox(connId).push(
            reply.body.length === 0 ? { closed: true, frame } : { reply: JSON.parse(reply.body.toString('utf8')) as Reply, frame },
          );
        }
      });
    } catch (error) {
      if (!this.sub.closed) throw error;
    }
  }

  /** Sends a caller's line as a JSON-socket request, as Mongrel2 does for `@bbs {json}\0`. */
  async say(connId: string, msg: string, headerFormat: HeaderFormat = 'json'): Promise<void> {
    await this.sendRaw(this.request(connId, JSON.stringify({ type: 'msg', msg }), headerFormat));
  }

  request(connId: string, body: string, headerFormat: HeaderFormat = 'json'): Buffer {
    const headers = { PATH: '@bbs', 'x-forwarded-for': '127.0.0.1', METHOD: 'JSON', PATTERN: '@bbs', URL_SCHEME: 'http', REMOTE_ADDR: '127.0.0.1' };
    return encodeRequest({ uuid: M2_UUID, connId, path: '@bbs', headers, body, headerFormat });
  }

  async sendRaw(frame: Buffer): Promise<void> {
    await this.push.send(frame);
  }

  /** Sends the `@*` disconnect for a connection, as Mongrel2 does when a client goes away. */
  async disconnect(connId: string): Promise<void> {
    await this.push.send(encodeDisconnect(M2_UUID, connId));
  }

  /** The next thing a connection receives (an event between prompts, say), as it came. */
  next(connId: string): Promise<Received> {
    return this.inbox(connId).take();
  }

  /** Collects what a connection receives up to and including its next prompt, or until it is closed. */
  async untilPrompt(connId: string): Promise<{ readonly texts: string[]; readonly prompt: Reply | undefined; readonly closed: boolean }> {
    const texts: string[] = [];
    for (;;) {
      const item = await this.inbox(connId).take();
      if ('closed' in item) return { texts, prompt: undefined, closed: true };
      texts.push(item.reply.msg);
      if (item.reply.type === 'prompt') return { texts, prompt: item.reply, closed: false };
    }
  }

  /** Types a line and returns what the connection receives up to its next prompt. */
  async exchange(connId: string, line: string): Promise<{ readonly texts: string[]; readonly prompt: Reply | undefined; readonly closed: boolean }> {
    await this.say(connId, line);
    return this.untilPrompt(connId);
  }

  async close(): Promise<void> {
    this.push.close();
    this.sub.close();
    await this.loop;
  }
}
