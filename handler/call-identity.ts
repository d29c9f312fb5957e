/**
 * Which durable conversation a request belongs to. Behind the m2bbs proxy, the `SESSION` header
 * names the call whichever backend serves it, `SEQ` numbers the caller's inputs, and a call moved
 * from a backend that died says `RESUME: 1` with `ACKED`, the last input a prompt acknowledged.
 * Behind a real Mongrel2 there is only the server's uuid and the connection id, which repeat
 * after the server restarts: the server's restart count (its epoch) is part of the name; a client
 * there may number its inputs in the body (`"seq":N`), and sending input N says it saw input
 * N - 1 answered.
 */
import type { Mongrel2Request } from '../common/mongrel2-wire.js';

export interface CallIdentity {
  /** The conversation's id in the conversations table. */
  readonly conversation: string;
  /** True when the proxy named the call (SESSION): the id is unique to it for good. */
  readonly named: boolean;
  /** The input number of this request, 0 when the server numbers none. */
  readonly seq: number;
  /** The call moved here from a backend that went away. */
  readonly resume: boolean;
  /** The last input the caller's proxy saw acknowledged in a prompt, when it says. */
  readonly acked: number | undefined;
}

const SESSION = /^[0-9a-f]{32}$/;
const NUMBER = /^(0|[1-9][0-9]{0,14})$/;

/** The identity of `request`'s call; `serverEpoch` counts restarts of a Mongrel2 server; `bodySeq` is the number a client behind Mongrel2 gave its input (0: none). */
export function callIdentity(request: Mongrel2Request, serverEpoch: (uuid: string) => number, bodySeq = 0): CallIdentity {
  const { headers } = request;
  const session = headers.SESSION;
  const seq = seqOf(request);
  if (typeof session === 'string' && SESSION.test(session)) {
    return { conversation: session, named: true, seq, resume: headers.RESUME === '1', acked: numberOf(headers.ACKED) };
  }
  return { conversation: `m2/${request.uuid}/${serverEpoch(request.uuid)}/${request.connId}`, named: false, seq: bodySeq, resume: false, acked: bodySeq > 0 ? bodySeq - 1 : undefined };
}

/** The input number of `request` (its `SEQ`), 0 when the server numbers none. */
export function seqOf(request: Mongrel2Request): number {
  return numberOf(request.headers.SEQ) ?? 0;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'string' && NUMBER.test(value) ? Number(value) : undefined;
}
