/**
 * How `m2bbs dial` makes itself known: its first message carries `"client":"m2bbs"`, which the
 * JSON-socket door (and a backend behind a real Mongrel2) reads to tell who's online the call came
 * by the client, not by a bare JSON socket. Like `columns`, it is a hint, never a permission.
 */

/** The value of `client` in the first message of `m2bbs dial`. */
export const DIAL_CLIENT = 'm2bbs';

/** True when a message body (JSON text) says it comes from `m2bbs dial`; false for anything else, never throws. */
export function fromDialClient(body: Buffer | string): boolean {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (!text.includes('"client"')) return false;
  try {
    const data = JSON.parse(text) as unknown;
    return typeof data === 'object' && data !== null && (data as { client?: unknown }).client === DIAL_CLIENT;
  } catch {
    return false;
  }
}
