/**
 * The kit a flow module in `screens/flows/` gets: the caller, the limits, and the same `yield*`
 * helpers the built-in flows use, typed by the screens the module says it shows.
 */
import type { Caller } from '../db/store.js';
import { askLine, askScreen, call, now, showScreen, sleep, type Flow } from './effects.js';
import { formatDate } from './flows/format.js';
import type { Limits } from './limits.js';

/** The screens a flow module shows, each with the placeholders it fills: `{ poll: ['question'] }`. */
export type ScreenCatalog = Readonly<Record<string, readonly string[]>>;

type VarsFor<C extends ScreenCatalog, N extends keyof C> = [C[N][number]] extends [never]
  ? []
  : [vars: { readonly [K in C[N][number]]: string | number }];

/** What a flow module's default export is given each time a caller chooses it. */
export interface ScreenFlowKit<C extends ScreenCatalog> {
  /** Who is calling: `caller.name`, `caller.id` (for storing things), `caller.calls`. */
  readonly caller: Caller;
  /** The board's limits (`limits.maxLineLength` and the like). */
  readonly limits: Limits;
  /** Shows one of the module's screens and goes on. */
  show<N extends keyof C & string>(screen: N, ...vars: VarsFor<C, N>): Flow;
  /** Shows one of the module's screens with a prompt and returns the line the caller types. */
  ask<N extends keyof C & string>(screen: N, ...vars: VarsFor<C, N>): Flow<string>;
  /** Like `ask`, but what the caller types is not shown. */
  askSecret<N extends keyof C & string>(screen: N, ...vars: VarsFor<C, N>): Flow<string>;
  /** Asks for a line with only a prompt character. */
  askLine(pchar: string): Flow<string>;
  /** Calls a service (storage, clock, randomness): the only way a flow reaches the world. */
  readonly call: typeof call;
  /** Pauses this caller's conversation. */
  readonly sleep: typeof sleep;
  /** The time now, in ms since the epoch, from the session's clock. */
  readonly now: typeof now;
  /** `2026-11-22 04:54 UTC` for a time in ms. */
  formatDate(ms: number): string;
}

/** A flow module after loading: its screens and its entry point. */
export interface FlowModule {
  readonly screens: ScreenCatalog;
  readonly run: (kit: ScreenFlowKit<ScreenCatalog>) => Flow<unknown>;
}

/** The kit for one run of a flow module; the helpers are the ordinary effect helpers. */
export function makeKit(caller: Caller, limits: Limits): ScreenFlowKit<ScreenCatalog> {
  return {
    caller,
    limits,
    show: (screen, ...vars) => showScreen(screen, vars[0]),
    ask: (screen, ...vars) => askScreen(screen, vars[0], true),
    askSecret: (screen, ...vars) => askScreen(screen, vars[0], false),
    askLine,
    call,
    sleep,
    now,
    formatDate,
  };
}
