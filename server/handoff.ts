/**
 * Handing calls off a draining link, at a prompt. A call on a link that is draining is moved to
 * another line when nothing it typed is in flight: when its backend's reply is a prompt that
 * acknowledges the last input sent (that prompt is held, and the new backend shows it after its
 * replay), or at once for a call already sitting at such a prompt when the link starts draining.
 * The old backend is told DETACH (it forgets the session, the conversation stays open) and the
 * call moves as on a death (call-mover.ts), but only onto a free line: with none anywhere the call
 * stays where it is, served by the draining backend, and is tried again at its next prompt and
 * whenever a line frees.
 */
import { tellSupervisor } from '../common/child-channel.js';
import type { Logger } from '../common/log.js';
import { encodeDisconnect } from '../common/mongrel2-wire.js';
import type { BackendLink } from './backend-link.js';
import { isPromptAckingAll, type CallState } from './call-state.js';
import { hasFreeLine } from './dial-order.js';
import type { LinkTable } from './link-table.js';

/** What handing off needs of the switchboard. */
export interface HandoffContext {
  readonly uuid: string;
  readonly log: Logger;
  readonly table: LinkTable;
  readonly random: () => number;
  /** The calls now, any link. */
  calls(): Iterable<CallState>;
  /** Remembers the old connection id on `link`, so its late replies are dropped quietly. */
  abandon(id: string, link: BackendLink): void;
  /** Moves the call to the first of `targets` that takes it (call-mover.ts). */
  moveTo(state: CallState, targets: BackendLink[]): void;
}

export interface Handoff {
  /** A reply for a connected call, about to be delivered, with its prompt ack (undefined when it is no prompt): true when the call was handed off and the reply (its prompt) held. */
  offer(state: CallState, ack: number | undefined): boolean;
  /** Looks again, soon, at the calls idle at a prompt on draining links (a link began draining, a line freed, a link came up). */
  sweep(): void;
}

/** Creates the handoff decision over the switchboard's call table. */
export function createHandoff(ctx: HandoffContext): Handoff {
  const { table, log } = ctx;
  let sweepPending = false;

  function free(link: BackendLink): boolean {
    const state = table.state(link);
    return link.up && !state.draining && hasFreeLine({ lines: link.spec.lines, inUse: state.inUse, knownFull: state.knownFull });
  }

  // A named call: its own number's newest generation when it has a free line, else any free
  // number (the call then becomes a dialled one). A dialled call: any free number in dial order,
  // but its own number's newest generation first (an upgrade: the others are upgraded next, and a
  // call sent there would move again).
  function targetsFor(state: CallState): BackendLink[] {
    const own = table.current(state.link.spec.number);
    const first = own !== undefined && own !== state.link && free(own) ? own : undefined;
    if (!state.dialled && first !== undefined) return [first];
    const others = table.inDialOrder(table.currentLinks().filter((link) => link !== state.link && link !== first && free(link)), ctx.random);
    return first === undefined ? others : [first, ...others];
  }

  function movable(state: CallState): boolean {
    const { window } = state;
    return state.connected && !state.ended && state.movingSince === undefined && window !== undefined && window.journaled && !window.overflowed && table.state(state.link).draining;
  }

  function handOff(state: CallState): boolean {
    const targets = targetsFor(state);
    const from = state.link;
    if (targets.length === 0) {
      const link = table.state(from);
      if (!link.waitLogged) {
        link.waitLogged = true;
        const waiting = [...ctx.calls()].filter((call) => call.link === from && call.connected).length;
        log.warn('drain waits: no free line elsewhere', { backend: from.spec.number, waiting });
        // The sysop's `m2bbs drain|upgrade` shows it: the supervisor hears only typed messages.
        void tellSupervisor({ type: 'drain-waits', backend: from.spec.number, sendSpec: from.spec.sendSpec, waiting });
      }
      return false;
    }
    log.info('handed off', { conn: state.id, backend: from.spec.number, reason: 'draining' });
    from.send(encodeDisconnect(ctx.uuid, state.id, { detach: true }));
    ctx.abandon(state.id, from);
    state.atPrompt = false;
    ctx.moveTo(state, targets);
    return true;
  }

  function offer(state: CallState, ack: number | undefined): boolean {
    if (!movable(state) || !isPromptAckingAll(state, ack)) return false;
    return handOff(state);
  }

  function sweepNow(): void {
    sweepPending = false;
    for (const state of [...ctx.calls()]) if (state.atPrompt && movable(state)) handOff(state);
  }

  function sweep(): void {
    if (sweepPending || !table.anyDraining()) return;
    sweepPending = true;
    // Not inside the caller's own step (an unregister in the middle of a move): once it is done.
    setImmediate(sweepNow);
  }

  return { offer, sweep };
}
