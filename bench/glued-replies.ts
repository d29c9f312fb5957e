/**
 * Mongrel2 1.8 and later glue a JSON socket's base64 replies together with nothing between. Each
 * reply is base64 of its own, so its text is whole 4-character groups and a group with `=` padding
 * always ends one; a reply whose length needs no padding is found by parsing at `}{`. Decoding
 * groups in bulk and parsing whole replies keeps the bench's own cost of reading Mongrel2 close to
 * its cost of reading NUL-framed replies, so the comparison does not load one side's CPU more.
 */
import { StringDecoder } from 'node:string_decoder';
import type { JsonReply } from './reply-stream.js';

const MAX_REPLY_CHARS = 4 * 1024 * 1024;
const PAD = 0x3d; // '='

export class GluedReplies {
  /** Base64 text not decoded yet (a part of a group, or a padded group split between reads). */
  private text = '';
  /** Decoded JSON text of replies not yet complete. */
  private json = '';
  /** Keeps a character's UTF-8 bytes split between two decoded pieces whole. */
  private readonly utf8 = new StringDecoder('utf8');

  /** Feeds the latin1 text of a read; calls `reply` for each complete reply and `error` for what is not one. */
  push(chunk: string, reply: (r: JsonReply) => void, error: (what: string) => void): void {
    // A NUL can only sit between replies (a server that frames with it after all): drop it.
    const data = this.text + (chunk.includes('\0') ? chunk.replaceAll('\0', '') : chunk);
    let start = 0;
    for (let pad = data.indexOf('=', start); pad >= 0; pad = data.indexOf('=', start)) {
      const end = data.charCodeAt(pad + 1) === PAD ? pad + 2 : pad + 1;
      // A padded group ends where its length is a multiple of 4; short of that, the rest is to come.
      if ((end - start) % 4 !== 0) break;
      this.json += this.utf8.write(Buffer.from(data.slice(start, end), 'base64'));
      this.emit(true, reply, error);
      start = end;
    }
    const whole = start + Math.floor((data.length - start) / 4) * 4;
    // A padded group that is not whole yet stays for the next read, with what follows it.
    const stop = data.indexOf('=', start) >= 0 ? start : whole;
    if (stop > start) {
      this.json += this.utf8.write(Buffer.from(data.slice(start, stop), 'base64'));
      this.emit(false, reply, error);
    }
    this.text = data.slice(stop);
    if (this.json.length + this.text.length > MAX_REPLY_CHARS) {
      error(`reply over ${MAX_REPLY_CHARS} bytes; dropped`);
      this.json = '';
      this.text = '';
    }
  }

  /** Parses the replies the decoded text holds; `ended`: a padded group closed the last one. */
  private emit(ended: boolean, reply: (r: JsonReply) => void, error: (what: string) => void): void {
    let from = 0;
    for (;;) {
      const rest = from === 0 ? this.json : this.json.slice(from);
      const whole = parse(rest);
      if (whole !== undefined) {
        reply(whole);
        this.json = '';
        return;
      }
      // Several replies glued without padding between: the first `}{` after which the text parses.
      let cut = -1;
      for (let at = rest.indexOf('}{'); at >= 0; at = rest.indexOf('}{', at + 1)) {
        const first = parse(rest.slice(0, at + 1));
        if (first !== undefined) {
          reply(first);
          cut = at + 1;
          break;
        }
      }
      if (cut < 0) {
        if (ended && rest.length > 0) error(`reply is not valid JSON: ${rest.slice(0, 80)}`);
        this.json = ended ? '' : rest;
        return;
      }
      from += cut;
    }
  }
}

function parse(text: string): JsonReply | undefined {
  if (text.length === 0 || text.charCodeAt(text.length - 1) !== 0x7d) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as JsonReply) : undefined;
  } catch {
    return undefined;
  }
}
