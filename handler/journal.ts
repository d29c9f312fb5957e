/**
 * What a durable conversation writes as its flow runs: one row per result the flow consumed (a
 * line, a call's result or error, a menu's version, a checkpoint), held in the session until the
 * flow waits, then committed in one transaction with the fencing check; replies wait for that
 * commit, so nothing a caller saw is missing from the journal. A write service runs inside the
 * transaction that journals its result: a post is stored and journaled together, or neither.
 * See docs/design/durable-conversations.md.
 */
import { BbsError, describeError, isBbsError, type ErrorCode, ERROR_CODES } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { CommitEntry, CommitResult, JournalChange, JournalPosition, JournalRow, JournalStore, RowKind, SharedValue, WriteOutcome } from '../db/journal-store.js';
import type { Effect } from './effects.js';
import type { Menu } from './menu.js';
import { SECRET_ARGUMENTS, type Services } from './services.js';
import type { Resume, Session } from './session.js';
import { joinShared } from './shared-events.js';

export interface JournalOptions {
  readonly store: JournalStore;
  /** This backend, as the conversations table names owners: `bbs.10 pid 4242`. */
  readonly owner: string;
  readonly log: Logger;
  readonly now: () => number;
}

/** The rows of a conversation's journal as the engine writes them. */
export class Journal {
  readonly store: JournalStore;
  readonly owner: string;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(options: JournalOptions) {
    this.store = options.store;
    this.owner = options.owner;
    this.log = options.log;
    this.now = options.now;
  }

  /** Adds a row to what the session commits at its next wait; `shared`: its value, stored once for every row that names it. */
  record(session: Session, kind: RowKind, print: string, value: string | null, seq: number | null = null, shared?: SharedValue): void {
    if (session.conversation === undefined) return;
    // Events resuming the same listen again, nothing journaled between (see the listen effect):
    // one row, as if they had come together.
    const pending = session.pending;
    const last = pending?.[pending.length - 1];
    if (pending !== undefined && kind === 'event' && shared !== undefined && last?.kind === 'event' && last.print === print && last.shared !== undefined) {
      const joined = joinShared(last.shared, shared);
      if (joined !== undefined) {
        pending[pending.length - 1] = { ...last, shared: joined };
        return;
      }
    }
    const row: JournalRow = shared === undefined ? { n: session.nextN++, kind, print, seq, value } : { n: session.nextN++, kind, print, seq, value: null, shared };
    if (kind === 'checkpoint' || kind === 'start') {
      session.startN = row.n;
      session.bytesSinceStart = 0;
    } else session.bytesSinceStart += value?.length ?? 0;
    (session.pending ??= []).push(row);
  }

  /**
   * Commits what the session recorded (`evenWithoutRows`: also where it stands, lines read without
   * a row). Throws BBS_ERR_CONVERSATION_TAKEN when another backend
   * owns the conversation now; a disk that refuses the write ends the journal for this
   * conversation (logged), which then goes on live but will not survive its backend.
   */
  commit(session: Session, evenWithoutRows = false): void {
    const id = session.conversation;
    if (id === undefined || (!evenWithoutRows && session.pending === undefined && session.dropFrom === undefined)) return;
    try {
      session.lastRow = this.store.commit(id, session.epoch, changeOf(session), () => positionOf(session), this.now()).lastRow;
      session.pending = undefined;
      session.dropFrom = undefined;
    } catch (error) {
      this.unlessTaken(session, error);
    }
  }

  /**
   * Commits what each session recorded (and where it stands) in one transaction, with the write
   * each waits on (`session.write`), if any: one commit for every conversation that waited in a
   * turn of the event loop. Returns the sessions another backend took over (nothing of theirs
   * written) and each write's outcome, journaled in the same commit. On a disk that refuses,
   * each session's journal ends (logged once), as in commit, and each write is refused with the
   * disk's error. Unless `mayWait`, 'busy' (nothing written) when another backend holds the
   * write lock. `alongside` runs inside the transaction first (writes of the turn that are not a conversation's).
   */
  commitMany(sessions: readonly Session[], mayWait = true, alongside?: () => void): { readonly taken: Session[]; readonly writes: Map<Session, Resume> } | 'busy' {
    const live = sessions.filter((session) => session.conversation !== undefined);
    const writes = new Map<Session, Resume>();
    if (live.length === 0) return { taken: [], writes };
    let results: CommitResult[];
    try {
      const entries: CommitEntry[] = live.map((session) => ({
        id: session.conversation as string,
        epoch: session.epoch,
        change: changeOf(session),
        position: positionOf(session),
        write: session.write === undefined ? undefined : { run: session.write.run, row: rowOf(session.write.effect, session.write.n) },
      }));
      const committed = mayWait ? this.store.commitMany(entries, this.now(), alongside) : this.store.commitManyUnlessBusy(entries, this.now(), alongside);
      if (committed === undefined) return 'busy';
      results = committed;
    } catch (error) {
      this.log.error('journal not written: these conversations will not survive their backend', { conversations: live.length, error: describeError(error) });
      for (const session of live) {
        // Rolled back with everything else: not stored, and the flow is told so.
        if (session.write !== undefined) writes.set(session, { ok: false, error });
        this.stop(session);
      }
      return { taken: [], writes };
    }
    const taken: Session[] = [];
    live.forEach((session, i) => {
      const result = results[i];
      if (result === false || result === undefined) return void taken.push(session);
      session.lastRow = result.lastRow;
      session.pending = undefined;
      session.dropFrom = undefined;
      if (result.outcome !== undefined) writes.set(session, result.outcome);
    });
    return { taken, writes };
  }

  /**
   * Tells whether this backend still holds the conversation, for replies that commit nothing (after
   * a sleep, a prompt sent again): throws BBS_ERR_CONVERSATION_TAKEN when another one does.
   */
  checkOwner(session: Session): void {
    const id = session.conversation;
    if (id === undefined) return;
    if (!this.store.holds(id, session.epoch)) throw new BbsError('BBS_ERR_CONVERSATION_TAKEN', `conversation ${id} is no longer held at epoch ${session.epoch}`);
  }

  /** Makes `run` (a write service) wait for the turn's commit, which journals its outcome with it. */
  queueWrite(session: Session, effect: CallEffect, run: () => unknown): void {
    session.write = { effect, run, n: session.nextN++ };
  }

  /** Journals what a call gave the flow. */
  recordOutcome(session: Session, effect: CallEffect, outcome: Resume): void {
    if (outcome.ok) this.record(session, 'result', fingerprint(effect), encodeValue(outcome.value));
    else this.record(session, 'error', fingerprint(effect), encodeError(outcome.error));
  }

  /** Marks the conversation ended; false when another backend holds it (nothing may be sent then). */
  close(session: Session): boolean {
    const id = session.conversation;
    if (id === undefined) return true;
    try {
      const write = session.write;
      session.write = undefined;
      // A write the flow was waiting on when the caller hung up is still made: what they wrote is
      // not lost for hanging up a moment early.
      if (session.pending !== undefined || write !== undefined) {
        const row = write === undefined ? undefined : rowOf(write.effect, write.n);
        session.lastRow = this.store.commit(id, session.epoch, changeOf(session), () => positionOf(session), this.now(), write?.run, row === undefined ? undefined : (value) => [row({ ok: true, value })]).lastRow;
      }
      return this.store.close(id, session.epoch, this.now());
    } catch (error) {
      if (isBbsError(error, 'BBS_ERR_CONVERSATION_TAKEN')) return false;
      this.log.error('conversation end not stored', { conversation: id, error: describeError(error) });
      return true;
    } finally {
      session.conversation = undefined;
      session.pending = undefined;
    }
  }

  private unlessTaken(session: Session, error: unknown): void {
    if (isBbsError(error, 'BBS_ERR_CONVERSATION_TAKEN')) throw error;
    this.log.error('journal not written: this conversation will not survive its backend', { conversation: session.conversation, conn: session.connId, error: describeError(error) });
    this.stop(session);
  }

  // The journal of this conversation ends here; it goes on live.
  private stop(session: Session): void {
    session.conversation = undefined;
    session.pending = undefined;
    // Prompts stop acknowledging inputs, so the proxy stops keeping them and will not move the call:
    // replayed from a journal that stopped, its writes since would be made twice.
    session.acked = -1;
  }
}

type CallEffect = Extract<Effect, { kind: 'call' }>;

// The row that journals a queued write's outcome, numbered when it was queued.
function rowOf(effect: CallEffect, n: number): (outcome: WriteOutcome) => JournalRow {
  return (outcome) => (outcome.ok ? { n, kind: 'result', print: fingerprint(effect), seq: null, value: encodeValue(outcome.value) } : { n, kind: 'error', print: fingerprint(effect), seq: null, value: encodeError(outcome.error) });
}

function changeOf(session: Session): JournalChange {
  return { rows: session.pending ?? [], dropFrom: session.dropFrom, after: session.lastRow };
}

function positionOf(session: Session): Omit<JournalPosition, 'lastRow'> {
  return { nextN: session.nextN, startN: session.startN, lastSeq: session.lastSeq, lastPart: session.lastPart, callerId: session.callerId };
}

/** What identifies the effect that consumed a row: replay compares it with what the code yields. */
export function fingerprint(effect: Effect): string {
  switch (effect.kind) {
    case 'ask':
      return `ask:${effect.screen ?? ''}:${effect.pchar}${effect.echo ? '' : ':secret'}`;
    case 'call':
      return `call:${effect.service}:${argsPrint(effect.service, effect.args)}`;
    case 'menu':
    case 'flow':
      return `${effect.kind}:${effect.name}`;
    case 'listen':
      return `listen:${effect.screen}:${effect.room ?? ''}`;
    case 'checkpoint':
      if (effect.room !== undefined) return `checkpoint:@${effect.room.room}`;
      return effect.caller === undefined ? 'checkpoint:start' : `checkpoint:${effect.menu ?? ''}${effect.helped === true ? ':helped' : ''}${effect.open === undefined ? '' : `:in:${effect.open.join('/')}`}`;
    default:
      return effect.kind;
  }
}

// Arguments in the print, secrets left out; a long one (a message body) as a hash and a length.
function argsPrint(service: keyof Services, args: readonly unknown[]): string {
  const secret = SECRET_ARGUMENTS[service];
  const shown = secret === undefined ? args : args.map((arg, i) => (secret.includes(i) ? null : arg));
  const json = JSON.stringify(shown);
  return json.length <= 48 ? json : `#${fnv1a(json)}/${json.length}`;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const menuPrints = new WeakMap<object, string>();

/**
 * What a flow's decisions at a menu depend on: its entries and where each leads, not the folder's
 * version (a changed text elsewhere leaves a half-written message replayable). Cached per menu.
 */
export function menuContent(menu: Menu | undefined): string | null {
  if (menu === undefined) return null;
  let print = menuPrints.get(menu);
  if (print === undefined) {
    print = fnv1a(JSON.stringify({ name: menu.name, items: menu.items }));
    menuPrints.set(menu, print);
  }
  return print;
}

/** A result as JSON; undefined as null. */
export function encodeValue(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function decodeValue(value: string | null): unknown {
  return value === null ? undefined : JSON.parse(value);
}

/** An error as the flow may tell it: its code (a BbsError's), name and message. */
export function encodeError(error: unknown): string {
  if (error instanceof Error) return JSON.stringify({ name: error.name, message: error.message, ...(isBbsError(error) ? { code: error.code } : {}) });
  return JSON.stringify({ name: 'Error', message: String(error) });
}

export function decodeError(value: string | null): Error {
  const { name, message, code } = (value === null ? {} : JSON.parse(value)) as { name?: string; message?: string; code?: string };
  if (code !== undefined && code in ERROR_CODES) return new BbsError(code as ErrorCode, message ?? '');
  const error = new Error(message ?? '');
  error.name = name ?? 'Error';
  return error;
}

/**
 * Rows, and bytes of them, a call may journal past the row a takeover replays from (its latest
 * checkpoint): the history before it is trimmed (KEPT_HISTORY_ROWS), but rows after it cannot be.
 * A caller typing on at a prompt that reaches no checkpoint (lines into a full message, `?` at a
 * reader's prompt) grew one call's journal 20,000 rows (4 MB) in 30 s; past these the call ends.
 * A person writing the longest message journals far fewer; one reading an area page by page two
 * rows a page (4,000 rows cut such a reader off after 10,000 messages, and "2" starts again at #1).
 */
export const MAX_ROWS_SINCE_START = 20_000;
export const MAX_BYTES_SINCE_START = 16 * 1024 * 1024;

/** True when the session's call has journaled more past its latest checkpoint than a call may. */
export function pastCheckpointLimit(session: Session): boolean {
  return session.conversation !== undefined && (session.nextN - session.startN > MAX_ROWS_SINCE_START || session.bytesSinceStart > MAX_BYTES_SINCE_START);
}
