/**
 * What the switchboard and the doors (JSON socket, WebSocket, telnet) say to each other: a door
 * owns a caller's connection, the switchboard owns the call to a backend.
 */

/** The way a caller came in; sent to backends in the DOOR header (`client`: `m2bbs dial` on the JSON socket). */
export type Door = 'json' | 'client' | 'websocket' | 'telnet';

/** A caller's connection as the switchboard sees it; each door implements one. */
export interface Line {
  /** A reply body from the backend, as it came (for m2bbs backends, UTF-8 JSON). */
  deliver(body: Buffer): void;
  /** The backend closed this caller: flush what was delivered, then close the connection. */
  hangUp(): void;
  /** A line from the proxy itself, such as dialling progress (`ATDT @bbs.11 ... BUSY`). */
  notice(text: string): void;
  /** The backend went away in the middle of the call: say `text`, then close or offer a redial. */
  dropped(text: string): void;
  /** Someone logged in on this call (a prompt said so): it stops counting against its address's cap. */
  loggedIn?(): void;
  /** The caller's terminal width as the door knows it now (NAWS, the page's size); sent as `COLUMNS` with every request. */
  columns?(): number | undefined;
}

/** A caller's call: dialling a backend, then connected through to it. */
export interface Call {
  /** The connection id the backend sees now (decimal, unique in this proxy process; a redial gets a new one). */
  readonly id: string;
  /** The backend's number being dialled or connected, such as `bbs.10`. */
  readonly number: string;
  /** Sends a message body (`{"type":"msg","msg":LINE}` for a line) to the backend. */
  send(body: Buffer | string): void;
  /** Sends one line typed by the caller. */
  sendLine(line: string): void;
  /** The caller went away: the backend gets the `@*` disconnect, unless it closed the caller itself. */
  leave(): void;
  /**
   * True while what the caller sent waits for the backend past its high-water mark (the link's
   * queue, or what was typed while dialling): the door stops reading the caller until `whenClear`.
   */
  readonly congested: boolean;
  /** Calls `wake` once the call may take more (at once if it may); the door then asks `congested` again. */
  whenClear(wake: () => void): void;
}

export type DialResult =
  | { readonly ok: true; readonly call: Call }
  | { readonly ok: false; readonly reason: 'unknown-route' | 'no-line'; readonly message: string };

/** What the directory says of one backend number. */
export interface DirectoryEntry {
  readonly number: string;
  readonly route: string;
  readonly up: boolean;
  /** Up, but only on generations that are draining: no new calls go to it. */
  readonly draining: boolean;
  /** How many generations (backend links) the number has had: 1 at start, one more per upgrade. */
  readonly generation: number;
  /** Lines the backend has, when known (`null` when the proxy was not told). */
  readonly lines: number | null;
  readonly inUse: number;
  readonly free: number | null;
  /** When the backend last connected or replied, ISO 8601; null if never. */
  readonly lastHeard: string | null;
}

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
  /** Every backend number: whether it is up, its lines, when it was last heard from. */
  directory(): DirectoryEntry[];
}
