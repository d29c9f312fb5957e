/** The replies a BBS sends a JSON-socket caller, checked field by field. */

/** One reply the client understands; a type it does not know is shown like a screen. */
export type BbsReply =
  | { readonly type: 'screen' | 'notice' | 'busy' | 'exit'; readonly msg: string }
  | { readonly type: 'prompt'; readonly msg: string; readonly pchar: string; readonly echo: boolean };

/** A reply the client cannot use, described for the caller. */
export interface UnreadableReply {
  readonly problem: string;
}

const KNOWN = new Set(['screen', 'notice', 'busy', 'exit']);

/** Checks one decoded JSON value from the server. */
export function readReply(value: unknown): BbsReply | UnreadableReply {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `the BBS sent ${describe(value)} instead of a reply` };
  const { type, msg, pchar, echo } = value as Record<string, unknown>;
  if (typeof type !== 'string') return { problem: 'the BBS sent a reply without a type' };
  if (msg !== undefined && typeof msg !== 'string') return { problem: `the BBS sent a "${type.slice(0, 40)}" reply whose msg is not text` };
  const text = msg ?? '';
  if (type === 'prompt') {
    // A prompt with no prompt character still asks for a line; "> " is what the original used.
    return { type, msg: text, pchar: typeof pchar === 'string' ? pchar : '> ', echo: echo !== false };
  }
  if (KNOWN.has(type)) return { type: type as 'screen' | 'notice' | 'busy' | 'exit', msg: text };
  if (msg === undefined) return { problem: `the BBS sent a "${type.slice(0, 40)}" reply, which this client does not know` };
  return { type: 'screen', msg: text };
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
