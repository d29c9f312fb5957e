/**
 * Reads a JSON-socket server's replies quickly enough not to slow the load it measures: replies
 * framed with `\0` (m2bbs, Mongrel2 up to 1.7) are cut and decoded whole, replies glued together
 * (Mongrel2 1.8 and later) are decoded in bulk; until a connection has shown which, `ReplyReader`
 * does the work (it also tells an HTTP error page from a reply).
 */
import { ReplyReader } from '../common/reply-reader.js';
import { GluedReplies } from './glued-replies.js';

/** A reply as JSON-socket servers send them; `msg` is shown, `type` says what it is. */
export interface JsonReply {
  readonly type?: unknown;
  readonly msg?: unknown;
  readonly pchar?: unknown;
  readonly echo?: unknown;
  /** In an m2bbs prompt: the last input its backend has journaled. */
  readonly seq?: unknown;
  /** In an `event`: what it is about (chat, join...), who said it, and the words said. */
  readonly kind?: unknown;
  readonly from?: unknown;
  readonly text?: unknown;
}

export class ReplyStream {
  private slow: ReplyReader | undefined = new ReplyReader();
  private glued: GluedReplies | undefined;
  private nulSeen = false;
  private pending: Buffer | undefined;

  /** Feeds bytes; calls `reply` for each complete reply and `error` for data that is not one. */
  push(chunk: Buffer, reply: (r: JsonReply) => void, error: (what: string) => void): void {
    if (this.glued !== undefined) return this.glued.push(chunk.toString('latin1'), reply, error);
    if (this.slow !== undefined) {
      const { messages, errors } = this.slow.push(chunk);
      for (const message of messages) reply(message as JsonReply);
      for (const problem of errors) error(problem);
      if (chunk.includes(0)) this.nulSeen = true;
      // The reader is between replies after a `\0`, so from here on the fast path can take over.
      if (chunk.length > 0 && chunk[chunk.length - 1] === 0) this.slow = undefined;
      // Whole replies and no NUL yet: a server that glues them, read in bulk from the next byte on
      // (the reader ends its reads between groups, and a reply's base64 is whole groups).
      else if (!this.nulSeen && messages.length > 0 && errors.length === 0 && this.slow.betweenReplies()) {
        this.slow = undefined;
        this.glued = new GluedReplies();
      }
      return;
    }
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    let start = 0;
    for (let end = data.indexOf(0); end >= 0; end = data.indexOf(0, start)) {
      if (end > start) decode(data.toString('latin1', start, end), reply, error);
      start = end + 1;
    }
    if (start < data.length) {
      data = data.subarray(start);
      if (data.length > 4 * 1024 * 1024) error('reply over 4 MiB without its closing NUL; dropped');
      else this.pending = Buffer.from(data);
    }
  }
}

function decode(base64: string, reply: (r: JsonReply) => void, error: (what: string) => void): void {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return reply(parsed as JsonReply);
  } catch {
    // reported below
  }
  const shown = base64.startsWith('HTTP/') ? base64.split('\r\n')[0] : JSON.stringify(base64.slice(0, 60));
  error(`unreadable reply ${shown ?? ''}`);
}
