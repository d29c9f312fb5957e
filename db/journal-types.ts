/**
 * The journal store's contract (journal-store.ts implements it): a conversation's rows and
 * position, what a claim finds, what a commit adds and gives back.
 */

/**
 * What a journal row records: a line the flow read, a call's result or error, which menu or flow
 * module it was given, a checkpoint replay can start from, a fresh start, or an event (a chat line,
 * a join) that resumed a listen instead of a line.
 */
export type RowKind = 'line' | 'result' | 'error' | 'menu' | 'flow' | 'checkpoint' | 'start' | 'event';

/** One row of a conversation's journal. `value` is JSON, or null for a secret line. */
export interface JournalRow {
  readonly n: number;
  readonly kind: RowKind;
  /** The fingerprint of the effect that consumed it: replay compares it with the code's. */
  readonly print: string;
  /** For a line: the caller's input number it came in (`SEQ`), when the proxy sent one. */
  readonly seq: number | null;
  readonly value: string | null;
  /**
   * Written only: the value, when many conversations journal it alike (a room's events), stored
   * once under `key` and named by the row (whose `value` is then null). Rows read back carry
   * the value itself.
   */
  readonly shared?: SharedValue | undefined;
}

/** A journal value stored once for the rows of many conversations. */
export interface SharedValue {
  /** Unique for good: the writing process's nonce and a counter. */
  readonly key: string;
  readonly value: string;
}

/** Where a conversation stands, committed with each batch of rows. */
export interface JournalPosition {
  /** The n the next row gets. */
  readonly nextN: number;
  /** Replay starts at this row (a checkpoint or a fresh start). */
  readonly startN: number;
  /** The last input consumed: its `SEQ` and which of its lines. */
  readonly lastSeq: number;
  readonly lastPart: number;
  readonly callerId: number | null;
  /** The conversation's newest journal row (its id), where the chain of its rows starts. */
  readonly lastRow: number | null;
}

/** What one commit adds: rows, after dropping those from `dropFrom` on (a journal cut back). */
export interface JournalChange {
  readonly rows: readonly JournalRow[];
  readonly dropFrom: number | undefined;
  /** The newest row committed before this change (the chain it continues). */
  readonly after: number | null;
}

/** When a conversation's caller is surely gone: last heard from before these (ms), by whether they had logged in; undefined: never. */
export interface SilentSince {
  readonly notLoggedIn: number | undefined;
  readonly loggedIn: number | undefined;
}

export interface ClaimOptions {
  /** Behind Mongrel2: a conversation ended or whose caller is surely gone is started afresh. */
  readonly staleBefore?: SilentSince | undefined;
  /** Behind Mongrel2: the caller's address; a conversation from another address is started afresh. */
  readonly remote?: string | undefined;
  /** The proxy's connection id of the request (they only grow). */
  readonly conn?: number | undefined;
  /** A new conversation's first input (it dials in; it is not an answer), as read already. */
  readonly seq?: number;
  readonly part?: number;
  /** Behind Mongrel2: the line is one the caller typed, not a dial-in (a dial-in on an ended conversation's id is a new caller). */
  readonly typed?: boolean;
  /**
   * A takeover: the last input the caller saw answered (the proxy's ACKED, or the input before a
   * numbered client's line). Replay starts early enough to show again what followed it.
   */
  readonly answered?: number | undefined;
}

/** A conversation as a sysop's replay reads it. */
export interface ConversationHistory {
  readonly id: string;
  readonly callerId: number | null;
  readonly openedAt: number;
  /** When it ended; null while the call is on (or its caller's line was never closed). */
  readonly closedAt: number | null;
  /** The number of the call's first row kept: rows before it were deleted while the call went on (KEPT_HISTORY_ROWS); 0 when none were. */
  readonly keptFrom: number;
  readonly rows: readonly JournalRow[];
}

/** What a write gave: its value, or the error it threw. */
export type WriteOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A write a conversation's flow waits on, made in the commit that journals its outcome. */
export interface PendingWrite {
  readonly run: () => unknown;
  /** The row that journals its outcome (after the change's rows). */
  readonly row: (outcome: WriteOutcome) => JournalRow;
}

/** One conversation's part of a commit of many. */
export interface CommitEntry {
  readonly id: string;
  readonly epoch: number;
  readonly change: JournalChange;
  readonly position: Omit<JournalPosition, 'lastRow'>;
  /** A write to make in this commit, rolled back alone if it fails (its error is journaled). */
  readonly write?: PendingWrite | undefined;
}

/** One conversation's part of a commit of many, once made: false where another owner holds it. */
export type CommitResult = false | { readonly lastRow: number | null; readonly outcome: WriteOutcome | undefined };

/** What a commit gave: the write's value (if it ran one) and the conversation's newest row now. */
export interface Committed<T> {
  readonly value: T | undefined;
  readonly lastRow: number | null;
}

/** What a backend finds when it takes a conversation on. */
export interface Claim {
  /** The new owner's fencing number: commits with any other fail. */
  readonly epoch: number;
  /** No row existed: a new conversation. */
  readonly created: boolean;
  /** The conversation had ended (its caller hung up or quit). */
  readonly closed: boolean;
  /**
   * The request came on a connection no newer than the owner's: a line queued for a backend
   * that died, arriving after the call moved on. Nothing was changed.
   */
  readonly stale: boolean;
  readonly position: JournalPosition;
  /** Who owned it before, for the log. */
  readonly previousOwner: string | undefined;
  /** When its last commit was, in ms. */
  readonly heardAt: number;
  /** When the call began, in ms: whichever backend holds it now, the time to log in counts from then. */
  readonly openedAt: number;
  /** The rows from `position.startN` on, in order. */
  readonly rows: readonly JournalRow[];
}

export interface JournalStore {
  /**
   * Takes conversation `id` on for `owner`, creating it if unknown; bumps the epoch of one that
   * exists. With `staleBefore`, one that ended or was last heard from before then is not taken
   * on but started afresh under the same id (behind Mongrel2, whose connection ids repeat).
   * With `conn` (the proxy's connection ids only grow), a request on a connection no newer than
   * the owner's is stale and takes nothing over.
   */
  claim(id: string, owner: string, code: string, now: number, options?: ClaimOptions): Claim;
  /**
   * In one transaction: drops rows from `change.dropFrom` on, appends `change.rows`, runs `write` (if any) and appends what `after` makes of
   * its result, then moves the position on, only if `epoch` still owns the conversation. Throws
   * BBS_ERR_CONVERSATION_TAKEN (and commits nothing) when another owner has taken it over.
   */
  commit<T>(id: string, epoch: number, change: JournalChange, position: () => Omit<JournalPosition, 'lastRow'>, now: number, write?: () => T, after?: (value: T) => readonly JournalRow[]): Committed<T>;
  /**
   * Commits many conversations' rows (and the writes they wait on) in one transaction, each only
   * if its epoch still owns it: returns, in order, each one's newest row and its write's outcome,
   * or false where another owner took it over (nothing of it written, its write rolled back).
   * Throws, committing nothing, when the disk refuses. `alongside` runs first in the same
   * transaction: other writes of the turn, which must catch their own errors.
   */
  commitMany(entries: readonly CommitEntry[], now: number, alongside?: () => void): CommitResult[];
  /**
   * Like commitMany, but without waiting for another process's write lock: undefined, with
   * nothing written, when another backend holds it now (try again in a moment).
   */
  commitManyUnlessBusy(entries: readonly CommitEntry[], now: number, alongside?: () => void): CommitResult[] | undefined;
  /** True while `epoch` owns the open conversation `id` (a read: for replies that commit nothing). */
  holds(id: string, epoch: number): boolean;
  /** The last input the open conversation `id` has read (its journal's), undefined when it is not open. */
  lastSeq(id: string): number | undefined;
  /** The rows since the checkpoint of the open conversation `id`, read without claiming it, when it was heard from after `heardAfter`; undefined otherwise. */
  peek(id: string, heardAfter: number): readonly JournalRow[] | undefined;
  /** A conversation's whole journal, from its first row, open or ended (a sysop's replay); undefined when there is no such conversation. */
  history(id: string): ConversationHistory | undefined;
  /** Marks the conversation ended; false when another owner holds it now. */
  close(id: string, epoch: number, now: number): boolean;
  /** Marks the conversation ended whoever holds it (its caller hung up, as Mongrel2 told a process that does not hold it); false when it was not open. */
  closeAnyEpoch(id: string, now: number): boolean;
  /** The times the Mongrel2 server `uuid` has been seen to restart, as counted by its backends. */
  serverEpoch(uuid: string): number;
  /**
   * Counts one more restart of server `uuid`: every conversation of the old one is over. With
   * `from`, only if the count is still `from` (another handler on the same server may have
   * counted this restart already); returns the count as it stands.
   */
  bumpServerEpoch(uuid: string, now: number, from?: number): number;
  /** Ends open conversations whose callers are surely gone (see SilentSince); returns how many. */
  closeSilent(since: SilentSince, now: number): number;
  /**
   * Deletes up to `limit` ended conversations (and their journals) that ended before `before`, or
   * before `neverLoggedInBefore` for those whose caller never logged in, and up to `limit` shared
   * values stored before `before`; returns how many of both.
   */
  pruneClosed(before: number, limit: number, neverLoggedInBefore?: number): number;
  /** Deletes the `limit` conversations that ended longest ago, whatever their age, with their journals; returns how many. */
  pruneOldestClosed(limit: number): number;
  /** Bytes of the pages the journal's tables and indexes take (a walk of them: read seldom). */
  journalBytes(): number;
  /** Bytes of the database's pages in use (not free): cheap, read often. */
  usedBytes(): number;
}
