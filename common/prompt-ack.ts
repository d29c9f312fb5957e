/**
 * What an m2bbs backend puts at the head of its prompts for the proxy: `{"type":"prompt","seq":N,...}`
 * says every input up to N has been read and journaled, and `"caller":"NAME"` right after it
 * (or right after `type` when there is no seq) says someone has logged in on the line
 * (handler/replies.ts writes both, with common/bbs-messages.ts's encodePrompt).
 */
import { PROMPT_HEAD } from './bbs-messages.js';

/** The `seq` a prompt from an m2bbs backend carries (see renderReply), or undefined. */
export function ackOf(body: Buffer): number | undefined {
  const end = seqEnd(body);
  return end === undefined ? undefined : readDigits(body, SEQ_HEAD.length, end);
}

const PROMPT = Buffer.from(PROMPT_HEAD);
const SEQ_HEAD = Buffer.from(`${PROMPT_HEAD}"seq":`);
const CALLER = Buffer.from('"caller":"');
const QUOTE = 0x22;
/** Names are short (24 characters at most by default); a longer field is not read. */
const MAX_CALLER_BYTES = 256;

/** True for a prompt that acknowledges nothing: its backend does not journal the call. */
export function isUnackedPrompt(body: Buffer): boolean {
  return body.length > PROMPT.length && body.compare(PROMPT, 0, PROMPT.length, 0, PROMPT.length) === 0 && ackOf(body) === undefined;
}

/**
 * The name of the caller logged in on the line, when `body` is a prompt that says so (a fixed
 * place near its start, read without parsing the body); undefined otherwise.
 */
export function callerOf(body: Buffer): string | undefined {
  if (body.length < PROMPT.length + CALLER.length + 1 || body.compare(PROMPT, 0, PROMPT.length, 0, PROMPT.length) !== 0) return undefined;
  const seqComma = seqEnd(body);
  const at = seqComma === undefined ? PROMPT.length : seqComma + 1;
  if (body.length < at + CALLER.length + 1 || body.compare(CALLER, 0, CALLER.length, at, at + CALLER.length) !== 0) return undefined;
  const from = at + CALLER.length;
  const to = body.indexOf(QUOTE, from);
  if (to <= from || to - from > MAX_CALLER_BYTES) return undefined;
  return body.toString('utf8', from, to);
}

// Where the comma after `"seq":N` is, or undefined when the prompt carries no seq.
function seqEnd(body: Buffer): number | undefined {
  if (body.length < SEQ_HEAD.length + 2 || body.compare(SEQ_HEAD, 0, SEQ_HEAD.length, 0, SEQ_HEAD.length) !== 0) return undefined;
  let i = SEQ_HEAD.length;
  for (; i < body.length && i < SEQ_HEAD.length + 16; i++) {
    const digit = (body[i] as number) - 0x30;
    if (digit < 0 || digit > 9) break;
  }
  return i > SEQ_HEAD.length && body[i] === 0x2c ? i : undefined;
}

function readDigits(body: Buffer, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + ((body[i] as number) - 0x30);
  return value;
}
