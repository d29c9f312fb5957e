/** What the effect loop and teardown share: calling a service, looking up menus and flows, resuming a flow. */
import type { Effect } from './effects.js';
import type { Screens } from './screens.js';
import type { Services } from './services.js';
import type { Resume, Session } from './session.js';

export type CallEffect = Extract<Effect, { kind: 'call' }>;

/** A service's result now (or the error it threw), or the promise of one. */
export type CallOutcome = { readonly now: Resume } | { readonly later: Promise<unknown> };

/** Calls the service an effect names. */
export function callServiceNow(services: Services, effect: CallEffect): CallOutcome {
  try {
    const value = (services[effect.service] as (...args: readonly unknown[]) => unknown)(...effect.args);
    return value instanceof Promise ? { later: value } : { now: { ok: true, value } };
  } catch (error) {
    return { now: { ok: false, error } };
  }
}

/**
 * The menu or flow module an effect asks for, from the screens in force now, so a reload between
 * two menu displays shows the new menu. A menu is data, never code; a flow module's code is looked
 * up only at the moment it runs.
 */
export function lookUp(screens: Screens, effect: Extract<Effect, { kind: 'menu' | 'flow' }>): unknown {
  return effect.kind === 'menu' ? screens.menu(effect.name) : screens.flow(effect.name);
}

/** Resumes a flow with a value or throws the error into it. */
export function resumeWith(flow: Session['flow'], resume: Resume): IteratorResult<Effect, void> {
  return resume.ok ? flow.next(resume.value) : flow.throw(resume.error);
}
