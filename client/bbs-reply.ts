/** The replies a BBS sends a JSON-socket caller (common/bbs-messages.ts), checked field by field. */
import { readBbsMessage, type EventKind } from '../common/bbs-messages.js';

/** One reply the client understands; a type it does not know is shown like a screen. */
export type BbsReply =
  | { readonly type: 'screen' | 'notice' | 'busy' | 'exit'; readonly msg: string }
  | { readonly type: 'prompt'; readonly msg: string; readonly pchar: string; readonly echo: boolean }
  | { readonly type: 'event'; readonly kind: EventKind; readonly msg: string };

/** A reply the client cannot use, described for the caller. */
export interface UnreadableReply {
  readonly problem: string;
}

/** Checks one decoded JSON value from the server. */
export function readReply(value: unknown): BbsReply | UnreadableReply {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `the BBS sent ${describe(value)} instead of a reply` };
  const { type, msg } = value as Record<string, unknown>;
  if (typeof type !== 'string') return { problem: 'the BBS sent a reply without a type' };
  if (msg !== undefined && typeof msg !== 'string') return { problem: `the BBS sent a "${type.slice(0, 40)}" reply whose msg is not text` };
  const message = readBbsMessage(value);
  if (message?.type === 'prompt') return { type: 'prompt', msg: message.msg, pchar: message.pchar, echo: message.echo !== false };
  if (message?.type === 'event') return { type: 'event', kind: message.kind, msg: message.msg };
  if (message !== undefined && message.type !== 'ping') return { type: message.type, msg: message.msg };
  if (msg === undefined) return { problem: `the BBS sent a "${type.slice(0, 40)}" reply, which this client does not know` };
  return { type: 'screen', msg };
}

/** True when `reply` could not be used. */
export function isUnreadable(reply: BbsReply | UnreadableReply): reply is UnreadableReply {
  return 'problem' in reply;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
