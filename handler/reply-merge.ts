/**
 * One reply to many connections: the replies a backend makes in one turn of the event loop are
 * held, and identical bodies for different connections of the same server go out as ONE
 * Mongrel2 reply naming several connection ids (`UUID SIZE:ID1 ID2 ..., BODY`, as Mongrel2's
 * handler protocol allows). A chat line said in a room of 1,000 was 1,000 messages for the
 * proxy to receive and parse; now it is about eight.
 */
import type { Outbox } from './engine-api.js';

/** What Mongrel2 (and the m2bbs proxy's parseReply) takes at most in one reply's id list. */
export const MAX_IDS_PER_REPLY = 128;

/** One reply as it goes out: a body (empty: close) for one or more connections of a server. */
export interface MergedReply {
  readonly uuid: string;
  readonly connIds: string[];
  readonly body: string;
}

interface Turn {
  readonly replies: MergedReply[];
  // Per server: the latest reply of this turn with a given body, by its index in `replies`.
  readonly byBody: Map<string, Map<string, number>>;
  // Per server and connection: the index of that connection's latest reply this turn.
  readonly lastOf: Map<string, number>;
}

/** An outbox whose held replies can also be sent before the turn ends. */
export interface MergingOutbox extends Outbox {
  /** Sends every reply held now, in order (before a notice that must come after them). */
  flush(): void;
}

/**
 * An outbox that merges, within each turn, replies with the same server and body. A connection
 * joins an earlier reply only when all its earlier replies of the turn come before that reply, so
 * each connection still gets its replies in the order they were made; closes are never merged.
 * `send` gets the turn's replies in order at the end of the turn.
 */
export function createMergingOutbox(send: (reply: MergedReply) => void): MergingOutbox {
  let turn: Turn | undefined;

  function current(): Turn {
    if (turn === undefined) {
      turn = { replies: [], byBody: new Map(), lastOf: new Map() };
      setImmediate(flush);
    }
    return turn;
  }

  function flush(): void {
    const done = turn;
    turn = undefined;
    if (done !== undefined) for (const reply of done.replies) send(reply);
  }

  function add(uuid: string, connId: string, body: string): void {
    const { replies, byBody, lastOf } = current();
    const connKey = `${uuid} ${connId}`;
    const last = lastOf.get(connKey) ?? -1;
    let bodies = byBody.get(uuid);
    if (bodies === undefined) byBody.set(uuid, (bodies = new Map()));
    const at = body === '' ? undefined : bodies.get(body);
    if (at !== undefined && at > last) {
      const reply = replies[at]!;
      if (reply.connIds.length < MAX_IDS_PER_REPLY) {
        reply.connIds.push(connId);
        lastOf.set(connKey, at);
        return;
      }
    }
    replies.push({ uuid, connIds: [connId], body });
    lastOf.set(connKey, replies.length - 1);
    if (body !== '') bodies.set(body, replies.length - 1);
  }

  return {
    reply: (uuid, connId, body) => add(uuid, connId, body),
    close: (uuid, connId) => add(uuid, connId, ''),
    flush,
  };
}
