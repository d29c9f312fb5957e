/**
 * The tag every line a chat-bench caller says carries, and finding it again in the `event`
 * messages other callers are sent: the tag names who said it and which of their lines it was,
 * so a receipt is matched to its line without a lookup table of strings.
 */
import type { JsonReply } from './reply-stream.js';

/** Which line of whose: speaker is the caller's index in the run, line counts from 0. */
export interface LineTag {
  readonly speaker: number;
  readonly line: number;
}

// A word of its own (word wrap never splits it, display-safety leaves it alone) that no name,
// screen or join notice of the BBS spells: `bt` then the speaker, `x`, then the line.
const TAG = /(?:^|[^A-Za-z0-9])bt(\d{1,6})x(\d{1,7})(?![A-Za-z0-9])/;

/** The tag of `speaker`'s line number `line`. */
export function chatTag(speaker: number, line: number): string {
  return `bt${speaker}x${line}`;
}

/** What the caller types: its tag, then words, as a person's line would have. */
export function chatLine(speaker: number, line: number, name: string): string {
  return `${chatTag(speaker, line)} from ${name}: a line for everyone in the room`;
}

/** The first tag in `text`; undefined when there is none. */
export function findTag(text: string): LineTag | undefined {
  const match = TAG.exec(text);
  if (match === null) return undefined;
  return { speaker: Number(match[1]), line: Number(match[2]) };
}

/** What an `event` reply says: its kind, and the tag of the line it carries (chat and /me lines), if any. */
export interface ReadEvent {
  readonly kind: string;
  readonly tag: LineTag | undefined;
}

/**
 * Reads `reply` as an event (DECISION 1: `{"type":"event","kind":...,"msg":...,"text"?:...}`);
 * undefined when it is another message. The tag is looked for in `text` (the words said), then
 * in `msg` (the line as shown), so a BBS that sends only `msg` is still measured.
 */
export function readEvent(reply: JsonReply): ReadEvent | undefined {
  if (reply.type !== 'event') return undefined;
  const kind = typeof reply.kind === 'string' ? reply.kind : 'unknown';
  const text = typeof reply.text === 'string' ? findTag(reply.text) : undefined;
  const tag = text ?? (typeof reply.msg === 'string' ? findTag(reply.msg) : undefined);
  return { kind, tag };
}
