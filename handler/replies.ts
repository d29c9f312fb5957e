/** Turning show and ask effects into the original BBS reply vocabulary, as JSON bodies. */
import type { Effect } from './effects.js';
import type { Screens } from './screens.js';

/**
 * The JSON replies a backend sends: the original `screen`, `prompt` and `exit`, plus `echo`, and
 * `busy` for a caller refused because every line is taken.
 */
export type Reply =
  | { readonly type: 'screen'; readonly msg: string }
  | { readonly type: 'prompt'; readonly seq?: number; readonly caller?: string; readonly msg: string; readonly pchar: string; readonly echo?: false }
  | { readonly type: 'exit'; readonly msg: string }
  | { readonly type: 'busy'; readonly msg: string };

/**
 * Renders a show or ask effect as a reply body (JSON text; the frame encodes it once, as UTF-8).
 * A prompt to a caller whose inputs the proxy numbers carries `seq`, the last input read whole
 * (and journaled): the proxy need keep only later ones to send again if this backend dies. It
 * comes right after `type`, so the proxy finds it without parsing the body. Once someone has
 * logged in on the line, `caller` (their name) follows: the proxy stops counting the call
 * against its address's cap on callers still logging in (common/prompt-ack.ts reads it).
 */
export function renderReply(screens: Screens, effect: Extract<Effect, { kind: 'show' | 'ask' }>, acked = -1, caller?: string): string {
  const msg = effect.screen === undefined ? '' : screens.render(effect.screen, effect.vars);
  let reply: Reply;
  if (effect.kind === 'show') reply = { type: effect.final ? 'exit' : 'screen', msg };
  else {
    // Key order is the wire order: type, seq, caller, then the rest.
    const head = { type: 'prompt' as const, ...(acked >= 0 ? { seq: acked } : {}), ...(caller === undefined ? {} : { caller }) };
    reply = effect.echo ? { ...head, msg, pchar: effect.pchar } : { ...head, msg, pchar: effect.pchar, echo: false };
  }
  return JSON.stringify(reply);
}

/** The reply that refuses a new caller because all `max` lines are taken; the close follows it. */
export function renderBusy(screens: Screens, max: number): string {
  const reply: Reply = { type: 'busy', msg: screens.render('busy', { max }) };
  return JSON.stringify(reply);
}
