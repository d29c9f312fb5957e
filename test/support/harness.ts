/**
 * Runs the real engine, flows, screens and a real SQLite store in-process, and records what each
 * caller would see as a readable transcript. Waiting is on replies, never on time.
 */
import { createLogger, type Logger } from '../../common/log.js';
import { encodeDisconnect, encodeRequest, parseRequest } from '../../common/mongrel2-wire.js';
import { openDatabase } from '../../db/open-database.js';
import { createStore, type Store } from '../../db/store.js';
import { SHIPPED_SCREENS } from '../../handler/config.js';
import { createEngine, type Engine } from '../../handler/engine.js';
import type { EventBus } from '../../handler/event-bus.js';
import type { PresenceHooks } from '../../handler/presence.js';
import type { Flow } from '../../handler/effects.js';
import type { LineLimits } from '../../handler/line-limits.js';
import { bbs } from '../../handler/flows/bbs.js';
import { DEFAULT_LIMITS, type Limits } from '../../handler/limits.js';
import type { Reply } from '../../handler/replies.js';
import { loadScreens, type Screens } from '../../handler/screens.js';
import { createServices, type Services } from '../../handler/services.js';
import type { Journal } from '../../handler/journal.js';

export const SERVER_UUID = '54c6755b-9628-40a4-9a2d-cc82a816345e';
export const CHEAP_SCRYPT = { N: 16, r: 1, p: 1 } as const;
export const TEST_LIMITS: Limits = { ...DEFAULT_LIMITS, badPasswordDelayMs: 0 };

type Event = { readonly reply: Reply } | { readonly closed: true };

export interface HarnessOptions {
  readonly limits?: Limits;
  readonly startFlow?: () => Flow;
  readonly services?: (base: Services) => Services;
  /** The store the services use (default: a new in-memory database); the harness closes it. */
  readonly store?: Store;
  readonly clock?: () => number;
  readonly log?: Logger;
  /** Busy and idle limits for the engine. */
  readonly lines?: LineLimits;
  /** The engine's clock for idle times (separate from the services' `clock`, which dates posts). */
  readonly now?: () => number;
  /** The screens in force, asked for at every screen and menu (default: the shipped screens). */
  readonly screens?: () => Screens;
  /** Makes conversations durable, journaled through this (over the harness's store). */
  readonly journal?: Journal;
  /** The event bus the engine's chat and pages go through (default: its own loop-back bus). */
  readonly bus?: EventBus;
  /** Who's online: the presence writer told of the calls the engine holds (none by default). */
  readonly presence?: PresenceHooks;
}

/** A clock that moves only when told, for driving idle limits without sleeping. */
export class ManualClock {
  constructor(private ms = Date.UTC(2026, 10, 22, 9, 0)) {}
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestCaller {
  /** Dials in (sends "connect") and waits for the first prompt. */
  dial(): Promise<Reply | undefined>;
  /** Types a line and waits for the next prompt or the end of the call. */
  say(line: string): Promise<Reply | undefined>;
  /** Sends a raw message body without waiting. */
  sendBody(body: string): void;
  /** Resolves with the first reply from now on that `match` accepts. */
  replyMatching(match: (reply: Reply) => boolean): Promise<Reply>;
  /** Drops the line, as Mongrel2's `@*` disconnect does. */
  hangUp(): void;
  readonly closed: boolean;
  readonly replies: readonly Reply[];
  transcript(): string;
}

export interface Harness {
  readonly engine: Engine;
  readonly services: Services;
  /** A caller on connection `connId`; `headers` go with every request (SESSION, RESUME ...). */
  caller(connId: string, headers?: Readonly<Record<string, string>>): TestCaller;
  close(): void;
}

/** Creates an in-process backend on an in-memory database. */
export function createHarness(options: HarnessOptions = {}): Harness {
  const limits = options.limits ?? TEST_LIMITS;
  const store = options.store ?? createStore(openDatabase(':memory:'));
  const log = options.log ?? createLogger('silent');
  const base = createServices({ store, log, scryptCost: CHEAP_SCRYPT, login: limits, ...(options.clock ? { clock: options.clock } : {}) });
  const services = options.services ? options.services(base) : base;
  const shipped = options.screens === undefined ? loadScreens(SHIPPED_SCREENS) : undefined;
  const listeners = new Map<string, (event: Event) => void>();
  const engine = createEngine({
    startFlow: options.startFlow ?? ((start) => bbs(limits, start)),
    flowName: 'bbs',
    services,
    screens: options.screens ?? (() => shipped as Screens),
    outbox: {
      reply: (_uuid, connId, body) => listeners.get(connId)?.({ reply: JSON.parse(body) as Reply }),
      close: (_uuid, connId) => listeners.get(connId)?.({ closed: true }),
    },
    log,
    ...(options.lines ? { lines: options.lines } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.presence ? { presence: options.presence } : {}),
    hangUps: store.hangUps,
  });

  function caller(connId: string, headers: Readonly<Record<string, string>> = {}): TestCaller {
    const lines: string[] = [];
    const replies: Reply[] = [];
    let closed = false;
    let waiter: ((reply: Reply | undefined) => void) | undefined;
    let lastPromptHidden = false;
    const watchers = new Set<(reply: Reply) => void>();
    listeners.set(connId, (event) => {
      if ('closed' in event) {
        closed = true;
        lines.push('-- line closed --');
        waiter?.(undefined);
        waiter = undefined;
        return;
      }
      const { reply } = event;
      replies.push(reply);
      for (const watch of watchers) watch(reply);
      if (reply.msg !== '') lines.push(...reply.msg.split('\n').map((l) => `BBS| ${l}`));
      if (reply.type === 'prompt') {
        lastPromptHidden = reply.echo === false;
        lines.push(`BBS${reply.pchar.trimEnd()} (waits${lastPromptHidden ? ', not echoed' : ''})`);
        waiter?.(reply);
        waiter = undefined;
      }
    });
    const send = (body: string): void => engine.receive(parseRequest(encodeRequest({ uuid: SERVER_UUID, connId, path: '@bbs', headers: { METHOD: 'JSON', ...headers }, body })));
    const next = (act: () => void): Promise<Reply | undefined> =>
      new Promise((resolve) => {
        if (closed) throw new Error(`caller ${connId} already hung up`);
        waiter = resolve;
        act();
      });
    return {
      dial: () => next(() => send(JSON.stringify({ type: 'msg', msg: 'connect' }))),
      say(line) {
        lines.push(`YOU: ${lastPromptHidden ? '********' : line}`);
        return next(() => send(JSON.stringify({ type: 'msg', msg: line })));
      },
      sendBody: send,
      replyMatching: (match) =>
        new Promise((resolve) => {
          const watch = (reply: Reply): void => {
            if (!match(reply)) return;
            watchers.delete(watch);
            resolve(reply);
          };
          watchers.add(watch);
        }),
      hangUp() {
        engine.receive(parseRequest(encodeDisconnect(SERVER_UUID, connId)));
        lines.push('-- caller hung up --');
      },
      get closed() {
        return closed;
      },
      replies,
      transcript: () => lines.join('\n'),
    };
  }

  return {
    engine,
    services,
    caller,
    close() {
      engine.stopEvents();
      // As a backend closing does: what waits for the turn's commit is committed while the store
      // is open (a flush left for later found the test's folder gone and made it again).
      engine.flushCommits();
      store.close();
    },
  };
}

/** Registers a caller through the conversation itself and leaves them at the main menu. */
export async function registerAtMenu(harness: Harness, connId: string, name: string, password: string, headers: Readonly<Record<string, string>> = {}): Promise<TestCaller> {
  const c = harness.caller(connId, headers);
  await c.dial();
  await c.say(name);
  await c.say(password);
  await c.say('y');
  await c.say(password);
  await c.say('');
  return c;
}
