/**
 * Connects callers to backend numbers. A call to `@bbs` is dialled (call-dialler.ts): numbers with
 * free lines first, each busy or silent number tried once, the caller told each step
 * (`ATDT @bbs.11 ... BUSY`). A call to a named number goes straight there. Every attempt gets a fresh decimal connection id.
 * Every call that a backend answers is told so once, the same way through every door:
 * `ATDT @bbs.10 ... CONNECT`, before the backend's first reply.
 * Every call also gets a random `SESSION` id, kept through redials, and numbers its inputs in `SEQ`.
 * When an m2bbs backend dies, each of its calls moves (call-mover.ts): to a free line on another
 * number, or to the same number once it is back, with what the backend had not acknowledged sent
 * again; the caller sees `-- line moved to @bbs.11 --` and carries on.
 * A number may have several generations (link-table.ts); a link that is draining gets no new
 * calls, and its calls are handed off at a prompt (handoff.ts).
 */
import { DRAIN_TIMEOUT_FLAG } from '../common/backend-defaults.js';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/log.js';
import { backendNoticeOf, encodeDisconnect, encodeRequest, type Mongrel2Reply } from '../common/mongrel2-wire.js';
import { isEventBody } from '../common/bbs-messages.js';
import { ackOf, isUnackedPrompt } from '../common/prompt-ack.js';
import type { BackendLink } from './backend-link.js';
import type { CallerInfo, DialResult, Line, Switchboard } from './line.js';
import { ResendWindow } from './resend-window.js';
import { columnsOf } from './line-columns.js';
import { isBusy, noteLogin, notePrompt, type CallState, type LinkState } from './call-state.js';
import { createCallMover } from './call-mover.js';
import { createCallDialler } from './call-dialler.js';
import { directoryOf } from './directory.js';
import { createHandoff } from './handoff.js';
import { createLinkControl } from './link-control.js';
import { ProxyCall, type CallContext } from './proxy-call.js';
import { LinkTable } from './link-table.js';
import type { RefusalLog } from './refusal-log.js';

/** The route that means "any free line". */
export const ANY_LINE = '@bbs';
export { ALL_LINES_BUSY } from './call-dialler.js';

export interface SwitchboardOptions {
  /** This proxy's identity on the wire (Mongrel2's send_ident). */
  readonly uuid: string;
  readonly links: readonly BackendLink[];
  readonly log: Logger;
  readonly random?: () => number;
  /** How long a number may take to answer a call: a dialled one tries the next, a named one hangs up. */
  readonly answerTimeoutMs?: number;
  /** How long a call whose backend died waits for a line to move to before it drops (NO CARRIER). */
  readonly moveTimeoutMs?: number;
  /** How long a call handed off a draining link waits for a line while no number is up (the backends' drain limit). */
  readonly handoffWaitMs?: number;
  /** The proxy's one refusal log (callers told all lines are busy). */
  readonly refusals?: RefusalLog;
}

/** How long a draining backend that went may take to say `drained` before its calls are moved anyway (it died mid-drain). */
const DRAINED_NOTICE_WAIT_MS = 1000;

/** How long a call whose backend died waits for a number to take it, unless told otherwise. */
export const DEFAULT_MOVE_TIMEOUT_MS = 20_000;

/** How long a handed-off call waits with no number up, unless told otherwise: the backends' default --drain-timeout-ms. */
const DEFAULT_HANDOFF_WAIT_MS = DRAIN_TIMEOUT_FLAG.default;

export interface ProxySwitchboard extends Switchboard {
  /** Hands a reply frame from a backend to the callers it names. */
  route(reply: Mongrel2Reply, from: BackendLink): void;
  /** A backend number lost its last process: its callers are told the line dropped. */
  down(link: BackendLink): void;
  /** A link got its first process (again): a restarted one is no longer draining. */
  up(link: BackendLink): void;
  /** Adds a link: a new number, or the newest generation of one. */
  addLink(link: BackendLink): void;
  /** No new calls to `link`; its calls are handed off at their next prompt. */
  drainLink(link: BackendLink, by: 'backend' | 'supervisor'): void;
  /** Moves the calls still on `link` as on a death and drops it (the caller closes it). */
  removeLink(link: BackendLink): void;
  /** Every link, all generations. */
  links(): BackendLink[];
  /** The link whose bound send spec is `sendSpec`. */
  linkBySendSpec(sendSpec: string): BackendLink | undefined;
  /** Callers dialling or connected now. */
  readonly activeCalls: number;
}

/** Creates the switchboard over a set of backend links. */
export function createSwitchboard(options: SwitchboardOptions): ProxySwitchboard {
  const { uuid, log } = options;
  const random = options.random ?? Math.random;
  const answerTimeoutMs = options.answerTimeoutMs ?? 5000;
  const moveTimeoutMs = options.moveTimeoutMs ?? DEFAULT_MOVE_TIMEOUT_MS;
  const handoffWaitMs = options.handoffWaitMs ?? DEFAULT_HANDOFF_WAIT_MS;
  const table = new LinkTable(options.links);
  const calls = new Map<string, CallState>();
  // Attempts given up on (busy, silent): their late replies and closes are dropped quietly.
  // Kept with the number they were given up on: a number that goes down takes its ids along.
  const abandoned = new Map<string, BackendLink>();
  let lastId = 0;

  const load = (link: BackendLink): LinkState => table.state(link);
  const knows = (route: string): boolean => route === ANY_LINE || table.knows(route);
  const abandon = (id: string, link: BackendLink): void => void abandoned.set(id, link);
  // What dialling and moving a call both need of the call table.
  const context = { uuid, log, answerTimeoutMs, load, register, unregister, request, abandon };
  const { attempt, giveUp, answered, unanswered, announce } = createCallDialler({ ...context, refusals: options.refusals });
  const mover = createCallMover({ ...context, table, random, moveTimeoutMs, handoffWaitMs, registered: (state) => calls.get(state.id) === state, isBusy });
  const handoff = createHandoff({ uuid, log, table, random, calls: () => calls.values(), abandon, moveTo: (state, targets) => mover.move(state, targets) });
  const { up, addLink, drainLink, removeLink } = createLinkControl({ log, table, handoff, down });
  const callContext: CallContext = { uuid, log, answerTimeoutMs, mover, attempt, unanswered, unregister, request, registered: (state) => calls.get(state.id) === state };

  function register(state: CallState): void {
    state.id = String(++lastId);
    calls.set(state.id, state);
    load(state.link).inUse++;
  }

  function unregister(state: CallState): void {
    if (calls.get(state.id) !== state) return;
    calls.delete(state.id);
    clearTimeout(state.timer);
    const l = load(state.link);
    l.inUse--;
    l.knownFull = false;
    // A line freed: a drain that waited for one may go on.
    if (!l.draining) handoff.sweep();
  }

  // `seq` numbers the caller's input, not the frame: a first line sent again on a redial keeps its 1.
  // Header values are strings, as Mongrel2 sends them.
  // A moved call says so (RESUME) with the last input a prompt acknowledged (ACKED).
  // Every request says the caller's width now (COLUMNS: 20..250, 80 when the door does not know).
  function request(state: CallState, body: Buffer | string, seq: number): Buffer {
    const pattern = state.dialled ? ANY_LINE : `@${state.link.spec.number}`;
    const headers = { PATH: state.info.route, METHOD: 'JSON', PATTERN: pattern, URL_SCHEME: 'm2bbs', REMOTE_ADDR: state.info.remoteAddr, DOOR: state.info.door, SESSION: state.session, SEQ: String(seq), COLUMNS: String(columnsOf(state.line)) };
    const moved = state.movingSince === undefined ? headers : { ...headers, RESUME: '1', ACKED: String(state.window?.acked ?? 0) };
    return encodeRequest({ uuid, connId: state.id, path: state.info.route, headers: moved, body });
  }

  function dial(line: Line, info: CallerInfo): DialResult {
    if (!knows(info.route)) return { ok: false, reason: 'unknown-route', message: `There is no number ${info.route} here.` };
    const dialled = info.route === ANY_LINE;
    const candidates = dialled ? table.inDialOrder(table.currentLinks(), random) : [];
    const named = dialled ? undefined : table.current(info.route.slice(1));
    if (!dialled && named === undefined) return { ok: false, reason: 'no-line', message: `${info.route} does not answer. Try @bbs for any free line.` };
    const first = named ?? candidates[0];
    if (first === undefined) return { ok: false, reason: 'no-line', message: 'No line is answering right now. Please try again later.' };
    const state: CallState = {
      line,
      info,
      dialled,
      session: randomBytes(16).toString('hex'),
      seq: 0,
      id: '',
      link: first,
      connected: !dialled,
      announced: false,
      ended: false,
      loggedIn: false,
      first: undefined,
      queued: undefined,
      queuedBytes: 0,
      held: undefined,
      candidates,
      timer: undefined,
      window: undefined,
      movingSince: undefined,
      movedFrom: undefined,
      handedOff: false,
      overdueLogged: false,
      atPrompt: false,
    };
    if (!dialled) {
      if (first.spec.batch === true) state.window = new ResendWindow();
      register(state);
      log.info('call connected', { conn: state.id, backend: first.spec.number, door: info.door });
    }
    const call = new ProxyCall(state, callContext);
    return { ok: true, call };
  }

  function route(reply: Mongrel2Reply, from: BackendLink): void {
    if (reply.extended) {
      const notice = backendNoticeOf(reply);
      // Said at once and every second while the backend drains: the first time counts.
      if (notice?.type === 'draining') drainLink(from, 'backend');
      else if (notice?.type === 'drained') {
        const linkState = table.state(from);
        linkState.drainedSaid = true;
        if (linkState.downPending !== undefined) goneNow(from, false);
      }
      return;
    }
    for (const id of reply.connIds) {
      const state = calls.get(id);
      if (state === undefined || state.link !== from) {
        // An event racing the DETACH of a call handed off or moved from `from` answers nothing:
        // dropped, and the backend is not told again (a second, plain disconnect would end it).
        if (abandoned.get(id) === from && isEventBody(reply.body)) continue;
        // As Mongrel2 does: a reply to a connection that is gone tells the backend it is gone.
        const given = abandoned.delete(id);
        if (given && reply.body.length === 0) continue;
        from.send(encodeDisconnect(uuid, id, { detach: given }));
        continue;
      }
      if (state.movingSince !== undefined) {
        mover.replied(state, reply.body);
      } else if (!state.connected) {
        if (reply.body.length === 0) giveUp(state, 'NO ANSWER');
        else if (isBusy(reply.body)) giveUp(state, 'BUSY');
        else answered(state, reply.body);
      } else if (reply.body.length === 0) {
        state.ended = true;
        unregister(state);
        log.info('backend closed caller', { conn: id, backend: from.spec.number });
        state.line.hangUp();
      } else if (state.announced && isEventBody(reply.body)) {
        // An event (a chat line, a page) is shown and changes nothing about the call's prompt: it
        // acknowledges no input, names no caller, and a call sitting at a prompt that acknowledged
        // everything still sits there (a draining link hands it off at once or on the next sweep).
        state.line.deliver(reply.body);
      } else {
        clearTimeout(state.timer);
        state.timer = undefined;
        // A named number's busy reply is its answer as it is; anything else means it picked up.
        if (!state.announced && !isBusy(reply.body)) announce(state);
        state.announced = true;
        const ack = state.window === undefined ? undefined : ackOf(reply.body);
        if (state.window !== undefined) {
          if (ack !== undefined) state.window.ack(ack);
          // A backend that does not journal the call (--journal off, or its journal could not be
          // written) acks nothing: keep nothing for it, and the call cannot move.
          else if (isUnackedPrompt(reply.body)) state.window = undefined;
        }
        noteLogin(state, reply.body);
        // On a draining link, a prompt that acknowledges everything is where the call is handed off.
        if (handoff.offer(state, ack)) continue;
        notePrompt(state, ack);
        state.line.deliver(reply.body);
      }
    }
  }

  // `live`: the link is being removed with its process still running (remove-link), which must
  // let go of each call it loses, or it goes on counting the line against its --max-callers.
  function down(link: BackendLink, live = false): void {
    // A draining backend's last replies (a caller's goodbye) and its going race on two sockets:
    // its calls are moved only once its `drained` notice, sent after every reply, has come.
    const linkState = table.state(link);
    if (!live && linkState.draining && linkState.drainedSaid !== true && table.has(link)) {
      linkState.downPending ??= setTimeout(() => goneNow(link, false), DRAINED_NOTICE_WAIT_MS).unref();
      return;
    }
    goneNow(link, live);
  }

  function goneNow(link: BackendLink, live: boolean): void {
    const linkState = table.state(link);
    clearTimeout(linkState.downPending);
    linkState.downPending = undefined;
    linkState.drainedSaid = false;
    // Attempts given up on there will never be answered now.
    for (const [id, on] of abandoned) if (on === link) abandoned.delete(id);
    for (const state of [...calls.values()]) {
      if (state.link !== link) continue;
      if (state.movingSince !== undefined) {
        if (live) link.send(encodeDisconnect(uuid, state.id, { detach: true }));
        mover.lost(state);
        continue;
      }
      if (!state.connected) {
        giveUp(state, 'NO ANSWER');
        continue;
      }
      // An m2bbs backend journals its calls: they move to another line (call-mover.ts).
      if (state.window !== undefined && state.window.journaled && !state.window.overflowed) {
        if (live) link.send(encodeDisconnect(uuid, state.id, { detach: true }));
        mover.move(state);
        continue;
      }
      if (live) link.send(encodeDisconnect(uuid, state.id));
      state.ended = true;
      unregister(state);
      log.warn('line dropped', { conn: state.id, backend: link.spec.number });
      state.line.dropped(`NO CARRIER: the line to @${link.spec.number} dropped.`);
    }
  }

  return {
    dial,
    knows,
    route,
    down,
    up,
    addLink,
    drainLink,
    removeLink,
    links: () => table.all(),
    linkBySendSpec: (sendSpec) => table.bySendSpec(sendSpec),
    directory: () => directoryOf(table),
    get activeCalls() {
      return calls.size;
    },
  };
}
