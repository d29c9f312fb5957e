/**
 * Reads what a Mongrel2-protocol server sends a JSON-socket client: base64 of each JSON reply,
 * followed by `\0` (Mongrel2 up to 1.7, m2bbs's proxy) or glued together with nothing between
 * (Mongrel2 1.8 and later). Chunks may split anywhere; base64 decodes in independent 4-character
 * groups, so glued replies decode to glued JSON, which is then cut at each top-level object.
 */

/** What one chunk of server bytes yielded. */
export interface ReaderOutput {
  readonly messages: unknown[];
  /** Plain descriptions of data that could not be read; the reader skips past it. */
  readonly errors: string[];
}

const BASE64_CHAR = /^[A-Za-z0-9+/=]$/;
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export class ReplyReader {
  private group = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private objectBytes: number[] = [];
  private foreign: string | undefined;

  /** Feeds bytes from the socket and returns every reply they complete. */
  push(chunk: Buffer | string): ReaderOutput {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const output: ReaderOutput = { messages: [], errors: [] };
    for (const ch of text) {
      if (ch === '\0') {
        this.reportForeign(output);
        if (this.group.length > 0) output.errors.push(`reply ended in the middle of a base64 group ("${this.group}")`);
        this.group = '';
        continue;
      }
      if (this.foreign !== undefined) {
        if (this.foreign.length < 256) this.foreign += ch;
        continue;
      }
      // Every reply is a JSON object, whose base64 starts with "e" ('{' is 0x7b): anything else
      // where a reply should begin is not a reply (an HTTP error page, say).
      if ((this.group === '' && this.depth === 0 && ch !== 'e') || !BASE64_CHAR.test(ch)) {
        this.foreign = ch;
        this.group = '';
        this.resetObject();
        continue;
      }
      this.group += ch;
      if (this.group.length === 4) {
        const bytes = Buffer.from(this.group, 'base64');
        this.group = '';
        for (const byte of bytes) this.scan(byte, output);
      }
    }
    this.reportForeign(output);
    return output;
  }

  /** True when every byte read so far belonged to a reply that is complete. */
  betweenReplies(): boolean {
    return this.group === '' && this.depth === 0 && this.foreign === undefined;
  }

  private reportForeign(output: ReaderOutput): void {
    if (this.foreign === undefined) return;
    const shown = this.foreign.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 120).trim();
    // An HTTP answer's status line says it all; its headers would only crowd the caller's screen.
    const status = /^HTTP\/[\x20-\x7e]*/.exec(this.foreign)?.[0].slice(0, 120).trim();
    output.errors.push(status !== undefined ? `server answered with an HTTP error: ${status}` : `unexpected data from server: "${shown}"`);
    this.foreign = undefined;
  }

  // Structural characters are ASCII and never occur inside a UTF-8 multibyte sequence, so the
  // scan works on bytes.
  private scan(byte: number, output: ReaderOutput): void {
    if (this.depth === 0) {
      if (byte === 0x7b) {
        this.depth = 1;
        this.objectBytes = [byte];
      } else {
        output.errors.push(`reply does not start with a JSON object (byte 0x${byte.toString(16).padStart(2, '0')})`);
      }
      return;
    }
    this.objectBytes.push(byte);
    if (this.objectBytes.length > MAX_REPLY_BYTES) {
      output.errors.push(`reply is over ${MAX_REPLY_BYTES} bytes; dropped`);
      this.resetObject();
      return;
    }
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === 0x5c) this.escaped = true;
      else if (byte === 0x22) this.inString = false;
      return;
    }
    if (byte === 0x22) this.inString = true;
    else if (byte === 0x7b || byte === 0x5b) this.depth++;
    else if (byte === 0x7d || byte === 0x5d) {
      this.depth--;
      if (this.depth === 0) {
        const json = Buffer.from(this.objectBytes).toString('utf8');
        this.resetObject();
        try {
          output.messages.push(JSON.parse(json));
        } catch {
          output.errors.push(`reply is not valid JSON: ${json.slice(0, 80)}`);
        }
      }
    }
  }

  private resetObject(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.objectBytes = [];
  }
}
