/** Turning show and ask effects into the caller-facing vocabulary (common/bbs-messages.ts), as JSON bodies. */
import { encodeBbsMessage, encodePrompt, type BbsMessage } from '../common/bbs-messages.js';
import type { Effect } from './effects.js';
import type { Screens } from './screens.js';

/** The replies a backend sends a caller: the shared vocabulary's messages that carry text. */
export type Reply = Exclude<BbsMessage, { readonly type: 'ping' }>;

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
  if (effect.kind === 'show') return encodeBbsMessage({ type: effect.final ? 'exit' : 'screen', msg });
  return encodePrompt({ ...(acked >= 0 ? { seq: acked } : {}), ...(caller === undefined ? {} : { caller }), msg, pchar: effect.pchar, ...(effect.echo ? {} : { echo: false as const }) });
}

/** The reply that refuses a new caller because all `max` lines are taken; the close follows it. */
export function renderBusy(screens: Screens, max: number): string {
  return encodeBbsMessage({ type: 'busy', msg: screens.render('busy', { max }) });
}
