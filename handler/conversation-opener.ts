/**
 * The session for a request the engine has none for: a new conversation, or one taken over from a
 * backend that died (claimed in the journal at a new epoch, with the rows to replay), or nothing
 * when the call has ended or the request is a stale line. Behind Mongrel2 it also keeps count of
 * each server's restarts, which name its conversations (see call-identity.ts).
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Mongrel2Request } from '../common/mongrel2-wire.js';
import type { Claim } from '../db/journal-store.js';
import { callIdentity, type CallIdentity } from './call-identity.js';
import type { Flow } from './effects.js';
import type { Journal } from './journal.js';
import { silentSince } from './journal-retention.js';
import type { LineLimits } from './line-limits.js';
import { secretPending, startOf, type FlowStart } from './replay.js';
import type { Screens } from './screens.js';
import { Session } from './session.js';

// What a client sends first on a new connection (the original client.py, m2bbs dial, the proxy).
const DIAL_IN = 'connect';

/** How long a line waits for the process holding a password it read (see waitsForOwner). */
const OWNER_WAIT_MS = 5000;

export interface OpenerOptions {
  readonly journal: Journal | undefined;
  readonly lines: LineLimits;
  readonly screens: () => Screens;
  readonly log: Logger;
  readonly now: () => number;
  readonly startFlow: (start?: FlowStart) => Flow;
}

export type Opened =
  | { readonly kind: 'refused'; readonly why: 'closed' | 'stale'; readonly conversation: string }
  /** A new conversation: its first message dialled in and is not an answer. */
  | { readonly kind: 'new'; readonly session: Session }
  /** Taken over: the session replays `rows` rows first; `seq` numbers the request's lines. */
  | { readonly kind: 'taken-over'; readonly session: Session; readonly from: string | undefined; readonly rows: number; readonly seq: number };

export interface ConversationOpener {
  /** The session for `request`; `bodySeq` is the number a client behind Mongrel2 gave the input (0: none). */
  open(request: Mongrel2Request, firstLines: readonly string[], bodySeq?: number): Opened;
  /** The open conversation of a hang-up behind Mongrel2 that this process does not hold; undefined for none. */
  unheld(request: Mongrel2Request): string | undefined;
  /** Ends that conversation in the journal, whoever held it (its holder died); false when it had ended. */
  closeUnheld(conversation: string): boolean;
  /**
   * True when a numbered line behind Mongrel2 should be left for the process that holds its
   * conversation: that one read a password nothing has used yet, which no other process can
   * rebuild. The client sends the line again after a silence, and Mongrel2 deals it on; once the
   * owner has been silent for OWNER_WAIT_MS (it died), the line is taken over here as usual.
   */
  waitsForOwner(request: Mongrel2Request, seq: number): boolean;
  /** The last input the journal says `request`'s open conversation has read; undefined when none is open (or without a journal). */
  journaledSeq(request: Mongrel2Request, seq: number): number | undefined;
  /** Counts a restart of Mongrel2 server `uuid`; its new epoch, or undefined without a journal (or when it cannot be stored). */
  serverRestarted(uuid: string): number | undefined;
}

export function createConversationOpener(options: OpenerOptions): ConversationOpener {
  const { journal, lines, log, now } = options;
  // Behind Mongrel2, how many times each server has restarted (its connection ids start again),
  // as this process last read it. Read afresh for every conversation opened: another handler on
  // the same send_spec may have counted a restart since, and both must name calls alike.
  const serverEpochs = new Map<string, number>();

  function serverEpoch(uuid: string): number {
    const epoch = journal === undefined ? 0 : journal.store.serverEpoch(uuid);
    serverEpochs.set(uuid, epoch);
    return epoch;
  }

  // The conversation this call continues, taken over from whoever held it; undefined when it
  // cannot be journaled (the log says why) and the call goes on as one that will not survive.
  function claimFor(request: Mongrel2Request, identity: CallIdentity, firstLines: readonly string[]): Claim | undefined {
    if (journal === undefined) return undefined;
    // Behind Mongrel2 a conversation whose caller is surely gone (silent past the idle limit that
    // applies), or that came from another address, belongs to an earlier server process that
    // reused this connection id: it starts afresh.
    // A connection's first message dials in (`connect`); a caller carrying on after their backend
    // died sends a line they typed. So a dial-in on an id with a conversation is a new caller on an
    // id reused by a Mongrel2 restarted while no backend ran to see it: never someone else's call.
    const dialIn = firstLines.length === 1 && firstLines[0] === DIAL_IN;
    const staleBefore = identity.named ? undefined : dialIn ? { notLoggedIn: Infinity, loggedIn: Infinity } : silentSince(lines, now());
    try {
      // The proxy's connection ids only grow: one no newer than the owner's is a stale line.
      return journal.store.claim(identity.conversation, journal.owner, options.screens().version ?? '', now(), {
        staleBefore,
        conn: identity.named ? Number(request.connId) : undefined,
        remote: identity.named ? undefined : remoteOf(request),
        seq: identity.seq,
        part: firstLines.length - 1,
        typed: !dialIn,
        answered: identity.acked,
      });
    } catch (error) {
      log.error('conversation not journaled: it will not survive its backend', { conn: request.connId, conversation: identity.conversation, error: describeError(error) });
      return undefined;
    }
  }

  function open(request: Mongrel2Request, firstLines: readonly string[], bodySeq = 0): Opened {
    const identity = callIdentity(request, serverEpoch, bodySeq);
    const claim = claimFor(request, identity, firstLines);
    if (claim?.closed === true || claim?.stale === true) return { kind: 'refused', why: claim.closed ? 'closed' : 'stale', conversation: identity.conversation };
    const takeover = claim !== undefined && !claim.created;
    const from = takeover ? startOf(claim.rows) : undefined;
    const session = new Session(request.uuid, request.connId, options.startFlow(from?.start), now());
    session.line = identity.conversation;
    session.remote = remoteOf(request);
    // Prompts acknowledge inputs only when they are journaled: the proxy moves only such calls.
    // So do those of a client behind Mongrel2 that numbers its inputs: it matches prompts to them.
    if (identity.seq > 0 && claim !== undefined) session.acked = 0;
    if (claim !== undefined) {
      session.conversation = identity.conversation;
      session.epoch = claim.epoch;
      // A call taken over (behind Mongrel2, most lines are) keeps its start: the time to log in
      // does not begin again with each backend that holds it.
      if (takeover) session.openedAt = Math.min(session.openedAt, claim.openedAt);
    }
    if (claim === undefined || !takeover || from === undefined) {
      // The first message only dials in: it counts as read.
      session.lastSeq = identity.seq;
      session.lastPart = firstLines.length - 1;
      if (session.acked >= 0) session.acked = identity.seq;
      return { kind: 'new', session };
    }
    const { position } = claim;
    session.nextN = position.nextN;
    session.startN = position.startN;
    session.lastSeq = position.lastSeq;
    session.lastPart = position.lastPart;
    session.callerId = position.callerId;
    session.lastRow = position.lastRow;
    // The prompt the replay ends at answers the last input the journal read, unless that input was
    // cut short (a paste read in part when the backend died, which the proxy sends again): behind
    // the proxy it acks one less, or as much as the proxy says the caller saw answered (a handoff at
    // a prompt). A client behind Mongrel2 sends whole inputs and matches prompts to them: it would
    // send its input forever if the prompt did not ack it.
    // An input the journal read whole, sent again with the move (the backend died between its
    // commit and its replies), is answered by the prompt the replay ends at.
    const readWhole = identity.seq === position.lastSeq && firstLines.length > 0 && firstLines.length - 1 <= position.lastPart;
    const answered = identity.named && !readWhole ? Math.max(position.lastSeq - 1, Math.min(identity.acked ?? 0, position.lastSeq)) : position.lastSeq;
    if (session.acked >= 0) session.acked = Math.max(0, answered);
    const { replay } = from;
    replay.acked = identity.acked;
    // The proxy saw prompts for inputs this journal does not hold: it cannot be trusted.
    if (identity.acked !== undefined && identity.acked > position.lastSeq) replay.broken = `the caller was answered up to input ${identity.acked}, the journal ends at input ${position.lastSeq}`;
    session.replay = replay;
    return { kind: 'taken-over', session, from: claim.previousOwner, rows: claim.rows.length, seq: identity.seq };
  }

  function serverRestarted(uuid: string): number | undefined {
    if (journal === undefined) return undefined;
    try {
      // Every handler on the server's send_spec sees the restart: it is counted once, by the first
      // to see it (the others find the count moved on from what they last read). A process that
      // never heard from this server has nothing of it to end, and only reads the count.
      const known = serverEpochs.get(uuid);
      const epoch = known === undefined ? journal.store.serverEpoch(uuid) : journal.store.bumpServerEpoch(uuid, Date.now(), known);
      serverEpochs.set(uuid, epoch);
      return epoch;
    } catch (error) {
      log.error('server restart not recorded', { uuid, error: describeError(error) });
      return undefined;
    }
  }

  // Behind Mongrel2 the disconnect goes to whichever process's turn it is, not to the one holding the call.
  function unheld(request: Mongrel2Request): string | undefined {
    if (journal === undefined) return undefined;
    const { conversation, named } = callIdentity(request, serverEpoch);
    if (named) return undefined;
    try {
      return journal.store.lastSeq(conversation) === undefined ? undefined : conversation;
    } catch (error) {
      log.error('conversation not read', { conversation, error: describeError(error) });
      return undefined;
    }
  }

  function closeUnheld(conversation: string): boolean {
    if (journal === undefined) return false;
    try {
      if (!journal.store.closeAnyEpoch(conversation, now())) return false;
      log.info('conversation ended: its caller hung up while another process held it', { conversation });
      return true;
    } catch (error) {
      log.error('conversation end not stored', { conversation, error: describeError(error) });
      return false;
    }
  }

  function waitsForOwner(request: Mongrel2Request, seq: number): boolean {
    // Un-numbered clients never send a line again; a numbered client's first input dials in.
    if (journal === undefined || seq <= 1 || request.headers.SESSION !== undefined) return false;
    const { conversation } = callIdentity(request, serverEpoch, seq);
    try {
      const rows = journal.store.peek(conversation, now() - OWNER_WAIT_MS);
      if (rows === undefined || !secretPending(rows)) return false;
    } catch (error) {
      log.error('conversation not read', { conversation, error: describeError(error) });
      return false;
    }
    log.debug('line left for the process that read a password', { conn: request.connId, conversation, seq });
    return true;
  }

  function journaledSeq(request: Mongrel2Request, seq: number): number | undefined {
    if (journal === undefined) return undefined;
    const { conversation } = callIdentity(request, serverEpoch, seq);
    try {
      return journal.store.lastSeq(conversation);
    } catch (error) {
      log.error('conversation not read', { conversation, error: describeError(error) });
      return undefined;
    }
  }

  return { open, serverRestarted, unheld, closeUnheld, waitsForOwner, journaledSeq };
}

// Mongrel2's view of the caller's address: REMOTE_ADDR, which it sets itself. Never
// x-forwarded-for: a client sends its own on an HTTP route, and would pick the address its wrong
// passwords count against (a fresh one each try) or claim another caller's conversation.
function remoteOf(request: Mongrel2Request): string | undefined {
  const remote = request.headers.REMOTE_ADDR;
  return typeof remote === 'string' ? remote.slice(0, 128) : undefined;
}
