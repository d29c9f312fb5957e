/** Reading the JSON messages callers send: `{"type":"msg","msg":LINE}`, pings and the rest. */
import { neutraliseCallerText } from '../common/caller-text.js';
import { namesKeyTwice } from '../common/json-keys.js';

/** The largest line, in bytes of JSON body, a backend accepts from a caller. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * The longest line (UTF-8 bytes) a caller may type, as the telnet door allows: a message may carry
 * several (a paste), each read and journaled as one input. A 64 KiB line at the menu journaled
 * 64 KiB a row, kept thousands of rows deep in a long call's history.
 */
export const MAX_LINE_BYTES = 4096;

export type ClientMessage =
  /** `seq`: the input's number when the client numbers them (a JSON socket behind Mongrel2), else 0. */
  | { readonly type: 'msg'; readonly lines: readonly string[]; readonly seq: number }
  | { readonly type: 'ping' }
  | { readonly type: 'unknown'; readonly name: string }
  | { readonly type: 'invalid'; readonly reason: string }
  /** Over MAX_MESSAGE_BYTES: not read at all, whatever it is. */
  | { readonly type: 'too-long'; readonly bytes: number }
  /** A line in it over MAX_LINE_BYTES (`bytes`, the longest): none of it read. */
  | { readonly type: 'line-too-long'; readonly bytes: number };


/** Decodes one message body; never throws. */
export function parseClientMessage(body: Buffer): ClientMessage {
  if (body.length > MAX_MESSAGE_BYTES) {
    return { type: 'too-long', bytes: body.length };
  }
  let data: unknown;
  const text = body.toString('utf8');
  try {
    data = JSON.parse(text);
  } catch {
    return { type: 'invalid', reason: 'body is not JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { type: 'invalid', reason: 'body is not a JSON object' };
  }
  // JSON.parse keeps the last: `{"type":"msg","msg":"connect","type":"ping"}` would be a ping, ignored in silence.
  if (namesKeyTwice(text, 'type')) return { type: 'invalid', reason: '"type" given more than once' };
  const { type, msg, seq } = data as { type?: unknown; msg?: unknown; seq?: unknown };
  if (type === 'ping') return { type: 'ping' };
  // Never String(type): an object such as {"toString":1} makes that throw.
  if (type !== 'msg') return { type: 'unknown', name: typeof type === 'string' ? type.slice(0, 64) : `(${type === null ? 'null' : typeof type})` };
  if (typeof msg !== 'string') return { type: 'invalid', reason: `"msg" is ${msg === null ? 'null' : typeof msg}, not a string` };
  // A number the client gives its input, so a line it sends again is read once (see call-identity.ts).
  const lines = splitLines(msg);
  // A UTF-16 unit is at most 3 bytes of UTF-8: only a message that long can hold a line too long.
  if (msg.length * 3 > MAX_LINE_BYTES) {
    let longest = 0;
    for (const line of lines) longest = Math.max(longest, Buffer.byteLength(line));
    if (longest > MAX_LINE_BYTES) return { type: 'line-too-long', bytes: longest };
  }
  return { type: 'msg', lines, seq: typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : 0 };
}

/** Splits pasted text into lines, tabs to spaces, control and invisible format characters dropped. */
export function splitLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n$/, '')
    .split('\n')
    .map(neutraliseCallerText);
}
