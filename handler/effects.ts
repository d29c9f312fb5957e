/**
 * The coroutine API: effect objects and the `yield*` helpers that flows use. This is the only
 * module that builds effect objects; the engine interprets them.
 */
import type { EventKind } from '../common/bbs-messages.js';
import type { Caller } from '../db/store.js';
import type { Menu } from './menu.js';
import type { FlowModule } from './screen-flow.js';
import type { Services } from './services.js';
import type { ScreenName, ScreenVars } from './screen-catalog.js';
import type { SysopText } from './sysop-text.js';

/** Values that fill a screen's `{{placeholders}}`. */
export type Vars = Readonly<Record<string, string | number | SysopText>>;

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
      /** 'yes-no': the flow gets, and the journal keeps, only what the answer means (see yesNoAnswer). */
      readonly answers?: 'yes-no';
    }
  | { readonly kind: 'call'; readonly service: keyof Services; readonly args: readonly unknown[] }
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'identify'; readonly name: string }
  | { readonly kind: 'activity'; readonly doing: string }
  | { readonly kind: 'menu'; readonly name: string }
  | { readonly kind: 'flow'; readonly name: string }
  | { readonly kind: 'checkpoint'; readonly caller: Caller | undefined; readonly menu: string | undefined; readonly room?: RoomCheckpoint | undefined; readonly helped?: true; readonly open?: readonly string[] }
  | {
      readonly kind: 'listen';
      readonly screen: string;
      readonly vars: Vars | undefined;
      readonly pchar: string;
      readonly room: string | undefined;
      readonly quiet: boolean;
    }
  | { readonly kind: 'notify'; readonly screen: string; readonly vars: Vars | undefined; readonly eventKind: EventKind; readonly about: EventAbout | undefined }
  | { readonly kind: 'publish'; readonly topic: string; readonly body: BusEvent };

/**
 * The optional fields of a bus event and their types: the one list the type below and the
 * router's check of what another backend sent (event-router.ts) are made from.
 */
export const BUS_EVENT_FIELDS = { from: 'string', room: 'string', text: 'string', to: 'string', page: 'number', origin: 'string', missed: 'number' } as const;

/**
 * What travels on the bus between backends (chat lines, joins, pages): the facts, never rendered
 * text, since each receiving flow renders it from its own screens. `origin` is the sender's line,
 * so a session is not sent back what it said itself.
 */
export type BusEvent = { readonly kind: EventKind; readonly at: string } & { readonly [K in keyof typeof BUS_EVENT_FIELDS]?: (typeof BUS_EVENT_FIELDS)[K] extends 'number' ? number : string };

/** Who and what an event shown to the caller is about, for clients that show events their own way. */
export interface EventAbout {
  readonly from?: string | undefined;
  readonly room?: string | undefined;
  readonly text?: string | undefined;
}

/** What a listen is resumed with: the caller's line, or an event that came first. */
export type Heard =
  | { readonly kind: 'line'; readonly text: string }
  /** The events that came since the flow last listened (in one turn, or while it was busy), in order: one resume, one journal row. */
  | { readonly kind: 'events'; readonly events: readonly BusEvent[] }
  /** One event, as journals written before events were delivered together replay it. */
  | { readonly kind: 'event'; readonly event: BusEvent };

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

/**
 * Asks a (Y/n) question: the answer comes back as what it means, '' (Enter), `y`, `n` or UNCLEAR_ANSWER, and
 * only that is journaled, so that a password typed there by mistake is never stored.
 */
export function* askYesNo<N extends ScreenName>(screen: N, ...vars: VarsArg<N>): Flow<string> {
  return (yield { kind: 'ask', screen, vars: vars[0], pchar: DEFAULT_PCHAR, echo: true, answers: 'yes-no' }) as string;
}

/** What an answer to a (Y/n) question is kept as when it is neither. */
export const UNCLEAR_ANSWER = '(neither Y nor N)';

/** An answer to a (Y/n) question by what it means: Enter stays Enter (''), y and yes are `y`, n and no are `n`. */
export function yesNoAnswer(text: string): string {
  const word = text.trim().toLowerCase();
  if (word === '') return '';
  if (word === 'y' || word === 'yes') return 'y';
  return word === 'n' || word === 'no' ? 'n' : UNCLEAR_ANSWER;
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
 * Says what the caller is doing now, as who's online shows it ("reading the board"); a side
 * channel, not journaled: a replay simply applies it again.
 */
export function* activity(doing: string): Flow {
  yield { kind: 'activity', doing };
}

/** A chat room a conversation can be rebuilt in (flows/chat.ts inRoom): the room, whether the caller's join was announced, the page a pager withdraws on leaving. */
export interface RoomCheckpoint {
  readonly room: string;
  readonly announced: boolean;
  readonly page?: number;
  /**
   * Room checkpoints fall every so many events and lines heard (`heard`); a checkpoint written
   * before that (none) counted listens, and a conversation rebuilt from it keeps counting so.
   */
  readonly counts?: 'heard';
}

/**
 * Tells a durable conversation where its replay can start over, needing nothing before: `caller`
 * has just logged in (no menu), is at the top of `menu` (at the short prompt after its help when
 * `helped`; opened from the menus `open`, outermost first), or listens in `room` (entered from the
 * main menu).
 */
export function* checkpoint(caller: Caller, menu?: string, room?: RoomCheckpoint, helped = false, open: readonly string[] = []): Flow {
  yield { kind: 'checkpoint', caller, menu, room, ...(helped ? { helped: true as const } : {}), ...(open.length > 0 ? { open } : {}) };
}

/**
 * Tells a durable conversation that nobody has logged in and the call can start over from here
 * (the name prompt, asked again): replay needs nothing before it, and no password typed before.
 */
export function* startOver(): Flow {
  yield { kind: 'checkpoint', caller: undefined, menu: undefined };
}

/**
 * Shows a prompt and waits for the caller's next line or an event for the session, whichever comes
 * first: chat events of `room` (the session is in it while it listens) or addressed to the caller.
 * `quiet`: the prompt is on the caller's screen already (an event went out above it), not sent again.
 * A flow must do the same with events whether they come in one resume or in several, listening
 * again between them with nothing else done: the journal keeps such resumes as one row.
 */
export function* listen<N extends ScreenName>(screen: N, vars: ScreenVars<N> | undefined, where: { readonly room?: string; readonly quiet?: boolean; readonly pchar?: string } = {}): Flow<Heard> {
  return (yield { kind: 'listen', screen, vars, pchar: where.pchar ?? DEFAULT_PCHAR, room: where.room, quiet: where.quiet === true }) as Heard;
}

/** Shows a screen to the caller as an event (above the line they are typing), not a reply the prompt waits on; `about` goes with it for clients. */
export function* notify<N extends ScreenName>(screen: N, vars: ScreenVars<N> | undefined, kind: EventKind, about?: EventAbout): Flow {
  yield { kind: 'notify', screen, vars, eventKind: kind, about };
}

/** Sends an event to every backend's sessions on `topic` (`chat/ROOM/`, `page/NAME/`); not done again on replay. */
export function* publish(topic: string, body: BusEvent): Flow {
  yield { kind: 'publish', topic, body };
}

/** The current time in ms since the epoch, from the session's clock (never `Date.now` in a flow). */
export function now(): Flow<number> {
  return call('now');
}

type VarsArg<N extends ScreenName> = keyof ScreenVars<N> extends never ? [] : [vars: ScreenVars<N>];
