/**
 * Which `Host` a request on the front port (the page, /directory, the WebSocket handshake) may
 * name: an IP literal (v4, or v6 in brackets), `localhost`, or a name the sysop gave with
 * `--host`. A page on another name that resolves to this BBS's address (DNS rebinding) sends its
 * own name as the Host, and is refused.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** True when the `Host` header value names a host this BBS serves. */
export function servesHost(header: string | undefined, names: ReadonlySet<string>): boolean {
  if (header === undefined || header === '' || header.length > 300) return false;
  if (header.startsWith('[')) {
    const close = header.indexOf(']');
    return close > 0 && isIPv6(header.slice(1, close)) && /^(:\d{1,5})?$/.test(header.slice(close + 1));
  }
  const match = /^([^:]+)(?::\d{1,5})?$/.exec(header);
  if (match === null) return false;
  const name = hostName(match[1] as string);
  return isIPv4(name) || name === 'localhost' || names.has(name);
}

/** A host name as the check compares it: lower case, without a trailing dot. */
export function hostName(text: string): string {
  const lower = text.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
