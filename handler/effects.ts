/**
 * The coroutine API: effect objects and the `yield*` helpers that flows use. This is the only
 * module that builds effect objects; the engine interprets them.
 */
import type { Caller } from '../db/store.js';
import type { Menu } from './menu.js';
import type { FlowModule } from './screen-flow.js';
import type { Services } from './services.js';
import type { ScreenName, ScreenVars } from './screen-catalog.js';

/** Values that fill a screen's `{{placeholders}}`. */
export type Vars = Readonly<Record<string, string | number>>;

// Screen names are strings here: the typed helpers below check built-in names, and the loader
// checks the screens operators add before they are ever shown.
export type Effect =
  | { readonly kind: 'show'; readonly screen: string; readonly vars: Vars | undefined; readonly final: boolean }
  | {
      readonly kind: 'ask';
      readonly screen: string | undefined;
      readonly vars: Vars | undefined;
      readonly pchar: string;
      readonly echo: boolean;
    }
  | { readonly kind: 'call'; readonly service: keyof Services; readonly args: readonly unknown[] }
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'identify'; readonly name: string }
  | { readonly kind: 'menu'; readonly name: string }
  | { readonly kind: 'flow'; readonly name: string }
  | { readonly kind: 'checkpoint'; readonly caller: Caller | undefined; readonly menu: string | undefined };

/** A conversation step: a generator that yields effects and is resumed with their results. */
export type Flow<R = void> = Generator<Effect, R, unknown>;

const DEFAULT_PCHAR = '> ';

/** Shows a screen and goes on without waiting. */
export function* show<N extends ScreenName>(screen: N, ...vars: VarsArg<N>): Flow {
  yield { kind: 'show', screen, vars: vars[0], final: false };
}

/** Shows a screen as the conversation's last words; the engine closes the line after it. */
export function* hangUp<N extends ScreenName>(screen: N, ...vars: VarsArg<N>): Flow {
  yield { kind: 'show', screen, vars: vars[0], final: true };
}

/** Shows a screen with a prompt character and returns the caller's next line. */
export function* ask<N extends ScreenName>(screen: N, ...vars: VarsArg<N>): Flow<string> {
  return (yield { kind: 'ask', screen, vars: vars[0], pchar: DEFAULT_PCHAR, echo: true }) as string;
}

/** Like `ask`, but the caller's terminal must not show what is typed (passwords). */
export function* askSecret<N extends ScreenName>(screen: N, ...vars: VarsArg<N>): Flow<string> {
  return (yield { kind: 'ask', screen, vars: vars[0], pchar: DEFAULT_PCHAR, echo: false }) as string;
}

/** Asks for one line with only a prompt character, no screen text (line editors). */
export function* askLine(pchar: string): Flow<string> {
  return (yield { kind: 'ask', screen: undefined, vars: undefined, pchar, echo: true }) as string;
}

/** Shows a screen whose name is known only at run time (menus, flow modules); the loader checked it. */
export function* showScreen(screen: string, vars?: Vars): Flow {
  yield { kind: 'show', screen, vars, final: false };
}

/** Asks with a screen whose name is known only at run time; `echo: false` hides what is typed. */
export function* askScreen(screen: string, vars?: Vars, echo = true): Flow<string> {
  return (yield { kind: 'ask', screen, vars, pchar: DEFAULT_PCHAR, echo }) as string;
}

/** The menu called `name` as it is in force now (a reload may have changed it), or undefined if it is gone. */
export function* currentMenu(name: string): Flow<Menu | undefined> {
  return (yield { kind: 'menu', name }) as Menu | undefined;
}

/**
 * The entry point of the flow module called `name` in the screens in force, or undefined if it is
 * gone. Separate from `currentMenu` so that a menu stays data: the code is fetched only to run it,
 * and a journal records the menu (name and version), never a function.
 */
export function* flowModule(name: string): Flow<FlowModule['run'] | undefined> {
  return (yield { kind: 'flow', name }) as FlowModule['run'] | undefined;
}

type ServiceResult<K extends keyof Services> = Awaited<ReturnType<Services[K]>>;

/** Calls a named service (storage, clock, hashing) and returns its result, awaited if it is a promise. */
export function* call<K extends keyof Services>(service: K, ...args: Parameters<Services[K]>): Flow<ServiceResult<K>> {
  return (yield { kind: 'call', service, args }) as ServiceResult<K>;
}

/** Pauses this one conversation for `ms` milliseconds. */
export function* sleep(ms: number): Flow {
  yield { kind: 'sleep', ms };
}

/** Tells the engine who is on this line: the caller logged in (or signed up) as `name`. */
export function* identify(name: string): Flow {
  yield { kind: 'identify', name };
}

/**
 * Tells a durable conversation where its replay can start over, needing nothing before: `caller`
 * has just logged in (no menu), or is at the top of `menu`.
 */
export function* checkpoint(caller: Caller, menu?: string): Flow {
  yield { kind: 'checkpoint', caller, menu };
}

/**
 * Tells a durable conversation that nobody has logged in and the call can start over from here
 * (the name prompt, asked again): replay needs nothing before it, and no password typed before.
 */
export function* startOver(): Flow {
  yield { kind: 'checkpoint', caller: undefined, menu: undefined };
}

/** The current time in ms since the epoch, from the session's clock (never `Date.now` in a flow). */
export function now(): Flow<number> {
  return call('now');
}

type VarsArg<N extends ScreenName> = keyof ScreenVars<N> extends never ? [] : [vars: ScreenVars<N>];
