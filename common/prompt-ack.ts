/**
 * The acknowledgement an m2bbs backend puts in its prompts for the proxy: `{"type":"prompt","seq":N,...}`
 * says every input up to N has been read and journaled (handler/replies.ts writes it).
 */

/** The `seq` a prompt from an m2bbs backend carries (see renderReply), or undefined. */
export function ackOf(body: Buffer): number | undefined {
  if (body.length < PROMPT_HEAD.length + 2 || body.compare(PROMPT_HEAD, 0, PROMPT_HEAD.length, 0, PROMPT_HEAD.length) !== 0) return undefined;
  let seq = 0;
  let i = PROMPT_HEAD.length;
  for (; i < body.length && i < PROMPT_HEAD.length + 16; i++) {
    const digit = (body[i] as number) - 0x30;
    if (digit < 0 || digit > 9) break;
    seq = seq * 10 + digit;
  }
  return i > PROMPT_HEAD.length && body[i] === 0x2c ? seq : undefined;
}

const PROMPT_HEAD = Buffer.from('{"type":"prompt","seq":');
const PROMPT = Buffer.from('{"type":"prompt",');

/** True for a prompt that acknowledges nothing: its backend does not journal the call. */
export function isUnackedPrompt(body: Buffer): boolean {
  return body.length > PROMPT.length && body.compare(PROMPT, 0, PROMPT.length, 0, PROMPT.length) === 0 && ackOf(body) === undefined;
}
