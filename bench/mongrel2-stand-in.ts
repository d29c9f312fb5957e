/**
 * The backend without the proxy: plays Mongrel2's side of the handler protocol (PUSH bound to the
 * send spec, SUB bound to the recv spec, as test/support/fake-mongrel2.ts does) and gives each
 * simulated caller a wire keyed by its connection id.
 */
import type { Push, Subscriber } from 'zeromq';
import { receiveFrames } from '../common/receive-frames.js';
import { bindServerSockets } from '../common/server-sockets.js';
import { encodeDisconnect, encodeRequest, parseReply } from '../common/mongrel2-wire.js';
import { SendQueue } from '../common/send-queue.js';
import type { Dial, Wire, WireEvents } from './caller.js';
import { handleJsonReply } from './json-replies.js';
import type { JsonReply } from './reply-stream.js';

const UUID = 'bench-stand-in-0000-000000000000';

export class Mongrel2StandIn {
  private readonly callers = new Map<string, WireEvents>();
  private readonly outgoing: SendQueue;
  private readonly loop: Promise<void>;
  private lastId = 0;
  /** Reply frames that did not parse or named nobody. */
  strays = 0;

  private constructor(
    private readonly push: Push,
    private readonly sub: Subscriber,
    readonly sendSpec: string,
    readonly recvSpec: string,
  ) {
    this.outgoing = new SendQueue(push, Promise.resolve(), () => this.strays++);
    this.loop = this.receive();
  }

  /** Binds both sockets on ephemeral loopback ports. */
  static async start(): Promise<Mongrel2StandIn> {
    const { push, sub, sendSpec, recvSpec } = await bindServerSockets();
    return new Mongrel2StandIn(push, sub, sendSpec, recvSpec);
  }

  /** A dialler whose every call gets a fresh connection id, as Mongrel2 gives one per socket. */
  readonly dial: Dial = (events: WireEvents): Wire => {
    const connId = String(++this.lastId);
    this.callers.set(connId, events);
    const headers = { PATH: '@bbs', METHOD: 'JSON', PATTERN: '@bbs', URL_SCHEME: 'm2bbs', REMOTE_ADDR: '127.0.0.1', DOOR: 'json' };
    const send = (line: string): void =>
      this.outgoing.push(encodeRequest({ uuid: UUID, connId, path: '@bbs', headers, body: JSON.stringify({ type: 'msg', msg: line }) }));
    queueMicrotask(() => {
      events.connected();
      send('connect');
    });
    return {
      sendLine: send,
      hangUp: () => {
        if (!this.callers.delete(connId)) return;
        this.outgoing.push(encodeDisconnect(UUID, connId));
        events.closed();
      },
    };
  };

  private async receive(): Promise<void> {
    try {
      await receiveFrames(this.sub, (frame) => {
        let reply;
        try {
          reply = parseReply(frame);
        } catch {
          this.strays++;
          return;
        }
        for (const connId of reply.connIds) {
          const events = this.callers.get(connId);
          if (events === undefined) {
            this.strays++;
          } else if (reply.body.length === 0) {
            this.callers.delete(connId);
            events.closed();
          } else {
            try {
              handleJsonReply(JSON.parse(reply.body.toString('utf8')) as JsonReply, events);
            } catch {
              events.error('backend reply that is not JSON');
            }
          }
        }
      });
    } catch (error) {
      if (!this.sub.closed) throw error;
    }
  }

  /** Closes both sockets; frames still queued are dropped (the backend may be gone: PUSH would wait for it forever). */
  async close(): Promise<void> {
    this.push.close();
    this.sub.close();
    await this.loop;
  }
}
