/**
 * The group commit of durable conversations: the rows and replies of every session whose flow
 * waited in one turn of the event loop are held, one transaction commits them at the end of the
 * turn (with the writes their flows wait on), then the replies go. A caller never sees a prompt
 * whose answer could be lost. See docs/design/durable-conversations.md.
 */
import { BbsError } from '../common/errors.js';
import type { Outbox } from './engine.js';
import type { Journal } from './journal.js';
import type { Resume, Session } from './session.js';

// How often event rows not yet committed are (see settle): at most this much of a chat is
// missing from a journal whose backend dies, and the caller saw it already.
const LAGGING_COMMIT_MS = 250;
// How long a commit is tried again without waiting for another backend's write lock.
const MAX_BUSY_RETRY_MS = 50;
// How soon it is tried again: the other backend's commit takes a millisecond or a few, and each
// try costs an error thrown; the callers' lines are read meanwhile, into the same commit.
const BUSY_RETRY_EVERY_MS = 1;

export interface CommitBatchOptions {
  readonly journal: Journal | undefined;
  readonly outbox: Outbox;
  /** Another backend took the conversation over: the engine forgets it without a word to the caller. */
  readonly takenOver: (session: Session, error: unknown) => void;
  /** A write the flow waited on is committed: the flow goes on with what it gave. */
  readonly resumeWrite: (session: Session, result: Resume) => void;
  /** Writes made inside each commit's transaction, before the conversations' (who's online's held activities). */
  readonly alongside?: (() => void) | undefined;
}

export interface CommitBatch {
  /** A reply: held for the commit if the conversation is journaled, sent at once if not. */
  emit(session: Session, body: string): void;
  /** The flow waits: its rows and replies go with the end of the turn's commit. */
  settle(session: Session): void;
  /** Commits this session's rows now and sends its replies, before the engine closes the line; throws BBS_ERR_CONVERSATION_TAKEN when fenced out. */
  settleNow(session: Session): void;
  /** Commits what waits now; unless `mayWait`, not when another backend holds the write lock. */
  flush(mayWait?: boolean): void;
  /** Commits what waits now, event rows left for later too, waiting for the write lock if need be (a backend stopping). */
  flushAll(): void;
}

// Rows that resume listens with events only: what they resume shows the caller nothing they
// could answer (no input is read, the prompt acknowledges nothing new), so it may go out before
// they are committed. Behind Mongrel2 the commit is also what finds a call served elsewhere since
// (its events shown there): those go through the group commit as before.
function eventsOnly(session: Session): boolean {
  const rows = session.pending;
  if (rows === undefined || session.write !== undefined || session.dropFrom !== undefined || session.conversation?.startsWith('m2/') !== false) return false;
  for (const row of rows) if (row.kind !== 'event') return false;
  return true;
}

/** Creates the group commit of one engine's sessions. */
export function createCommitBatch(options: CommitBatchOptions): CommitBatch {
  const { journal, outbox } = options;

  function emit(session: Session, body: string): void {
    if (session.conversation === undefined || journal === undefined) outbox.reply(session.uuid, session.connId, body);
    else (session.replies ??= []).push(body);
  }

  // Sessions whose flow waited in this turn of the event loop, their rows and replies held: one
  // transaction commits them all at the end of the turn (a commit per input cost half the
  // backend's throughput), then their replies go. A caller never sees a prompt whose answer
  // could be lost.
  const awaitingCommit = new Set<Session>();
  let flushScheduled = false;
  // While another backend holds the write lock the commit is tried again every millisecond
  // (callers' lines go on being read meanwhile, into the same commit), waiting for it only after a while.
  let busySince: number | undefined;

  // Sessions whose rows are events only: their replies went, their rows go within LAGGING_COMMIT_MS
  // (one commit for a room's listeners, consecutive events merged into one row by the journal),
  // or with the next row that is not an event.
  const lagging = new Set<Session>();
  let laggingTimer: NodeJS.Timeout | undefined;

  function settle(session: Session): void {
    if (journal === undefined || session.conversation === undefined) return release(session);
    if (!awaitingCommit.has(session) && eventsOnly(session)) {
      release(session);
      lagging.add(session);
      if (laggingTimer === undefined) {
        laggingTimer = setTimeout(commitLagging, LAGGING_COMMIT_MS);
        laggingTimer.unref();
      }
      return;
    }
    lagging.delete(session);
    awaitingCommit.add(session);
    scheduleFlush();
  }

  function commitLagging(): void {
    laggingTimer = undefined;
    for (const session of lagging) if (session.conversation !== undefined && session.pending !== undefined) awaitingCommit.add(session);
    lagging.clear();
    scheduleFlush();
  }

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(tryFlush);
  }

  function tryFlush(): void {
    flushScheduled = false;
    const waited = busySince === undefined ? 0 : Date.now() - busySince;
    flush(waited >= MAX_BUSY_RETRY_MS);
  }

  function flush(mayWait = true): void {
    if (awaitingCommit.size === 0 || journal === undefined) return;
    const batch = [...awaitingCommit];
    const outcome = journal.commitMany(batch, mayWait, options.alongside);
    if (outcome === 'busy') {
      busySince ??= Date.now();
      if (flushScheduled) return;
      flushScheduled = true;
      setTimeout(tryFlush, BUSY_RETRY_EVERY_MS);
      return;
    }
    busySince = undefined;
    awaitingCommit.clear();
    const taken = new Set(outcome.taken);
    for (const session of batch) {
      if (taken.has(session)) {
        session.replies = undefined;
        session.write = undefined;
        if (!session.ended) options.takenOver(session, new BbsError('BBS_ERR_CONVERSATION_TAKEN', `conversation ${session.conversation ?? ''} is held by another backend now`));
        continue;
      }
      // A caller who hung up meanwhile gets nothing; one left for another backend (shutdown) does.
      if (session.ended && session.conversation === undefined) session.replies = undefined;
      release(session);
    }
    // Flows that waited on a write go on with what it gave, now that it and its row are committed.
    for (const [session, result] of outcome.writes) {
      session.write = undefined;
      options.resumeWrite(session, result);
    }
  }

  // Commits this session's rows now, then lets its replies go: before the engine closes the line.
  // Throws BBS_ERR_CONVERSATION_TAKEN, with nothing sent, when fenced out.
  function settleNow(session: Session): void {
    awaitingCommit.delete(session);
    lagging.delete(session);
    if (journal !== undefined) {
      // Replies that commit no row still go out only from the conversation's owner.
      if (session.pending === undefined && session.replies !== undefined) journal.checkOwner(session);
      journal.commit(session);
    }
    release(session);
  }

  function release(session: Session): void {
    const replies = session.replies;
    if (replies === undefined) return;
    session.replies = undefined;
    // Held prompts were rendered acknowledging inputs; if the journal stopped meanwhile (the disk
    // refused the commit), they must not: the proxy would then move a call that cannot be rebuilt.
    const unacked = session.acked < 0;
    for (const body of replies) {
      outbox.reply(session.uuid, session.connId, unacked ? withoutAck(body) : body);
      // What the caller last saw: lines typed after a password prompt are journaled as secrets.
      if (body.startsWith('{"type":"prompt"')) session.seenSecret = body.includes('"echo":false');
    }
  }

  function flushAll(): void {
    clearTimeout(laggingTimer);
    commitLagging();
    flush(true);
  }

  return { emit, settle, settleNow, flush, flushAll };
}

const PROMPT_ACK = /^\{"type":"prompt","seq":\d+,/;

function withoutAck(body: string): string {
  return body.replace(PROMPT_ACK, '{"type":"prompt",');
}

/** Makes the prompt held last for the session's commit acknowledge input `seq`; false when none is held. */
export function ackHeldPrompt(session: Session, seq: number): boolean {
  const replies = session.replies;
  const last = replies?.[replies.length - 1];
  if (replies === undefined || last === undefined || !PROMPT_ACK.test(last)) return false;
  replies[replies.length - 1] = last.replace(PROMPT_ACK, `{"type":"prompt","seq":${seq},`);
  return true;
}
