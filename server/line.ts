/**
 * What the switchboard and the doors (JSON socket, WebSocket, telnet) say to each other: a door
 * owns a caller's connection, the switchboard owns the call to a backend.
 */

/** The way a caller came in; sent to backends in the DOOR header. */
export type Door = 'json' | 'websocket' | 'telnet';

/** A caller's connection as the switchboard sees it; each door implements one. */
export interface Line {
  /** A reply body from the backend, as it came (for m2bbs backends, UTF-8 JSON). */
  deliver(body: Buffer): void;
  /** The backend closed this caller: flush what was delivered, then close the connection. */
  hangUp(): void;
}

/** A caller connected through to a backend. */
export interface Call {
  /** The connection id the backend sees (decimal, unique in this proxy process). */
  readonly id: string;
  /** The backend's number, such as `bbs.10`. */
  readonly number: string;
  /** Sends a message body (`{"type":"msg","msg":LINE}` for a line) to the backend. */
  send(body: Buffer | string): void;
  /** Sends one line typed by the caller. */
  sendLine(line: string): void;
  /** The caller went away: the backend gets the `@*` disconnect, unless it closed the caller itself. */
  leave(): void;
}

export type DialResult =
  | { readonly ok: true; readonly call: Call }
  | { readonly ok: false; readonly reason: 'unknown-route' | 'no-line'; readonly message: string };

export interface CallerInfo {
  readonly door: Door;
  readonly remoteAddr: string;
  /** `@bbs` for any free line, or a number such as `@bbs.10`. */
  readonly route: string;
}

/** Connects callers to backends. */
export interface Switchboard {
  dial(line: Line, info: CallerInfo): DialResult;
  /** True when `route` names something this proxy can dial. */
  knows(route: string): boolean;
}
