/**
 * What flows may ask of the world: the clock, randomness and the BBS's data. Flows reach these
 * only through `call(...)` effects, so a conversation stays deterministic given their results.
 */
import type { Logger } from '../common/log.js';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword, type ScryptCost } from '../db/password.js';
import type { Caller, MailItem, PublicMessage, Store, WallLine } from '../db/store.js';
import { isWriteFailure } from '../db/write-failure.js';
import { logWriteFailure } from './write-failure-log.js';

/**
 * The services flows may call. A write that is not stored (postMessage, sendMail, register,
 * markMailRead, wallPost) throws a BbsError with a code from WRITE_FAILURE_CODES, after the
 * failure is logged; logIn still logs the caller in when only counting the call fails.
 */
export interface Services {
  now(): number;
  random(): number;
  findCaller(name: string): Caller | undefined;
  /** Checks a password and counts the call; `lastCallAt` is the call before this one. */
  logIn(name: string, password: string): Promise<Caller | undefined>;
  register(name: string, password: string): Promise<Caller>;
  postMessage(authorId: number, body: string): number;
  listMessages(afterId: number, limit: number): PublicMessage[];
  countMessages(): number;
  sendMail(fromId: number, toId: number, body: string): number;
  inboxIds(callerId: number): number[];
  getMail(callerId: number, ids: readonly number[]): MailItem[];
  markMailRead(callerId: number, ids: readonly number[]): void;
  countUnreadMail(callerId: number): number;
  /** Adds a line to a named wall (one-liners, a guest book) and returns its id. */
  wallPost(wall: string, authorId: number, body: string): number;
  /** The last `limit` lines of a named wall, oldest first. */
  wallRecent(wall: string, limit: number): WallLine[];
}

/** Arguments of a service that are secrets: never journaled, never in a fingerprint. */
export const SECRET_ARGUMENTS: Partial<Record<keyof Services, readonly number[]>> = { logIn: [1], register: [1] };

/** Services that write: a durable conversation runs each inside the transaction that journals its result. */
export const WRITE_SERVICES: ReadonlySet<keyof Services> = new Set<keyof Services>(['postMessage', 'sendMail', 'markMailRead', 'wallPost']);

/**
 * The slow services split in two: the slow part (hashing) first, with no write, resolving to the
 * write still to make, which a durable conversation runs in the transaction that journals it.
 */
export interface StagedServices {
  logIn(name: string, password: string): Promise<() => Caller | undefined>;
  register(name: string, password: string): Promise<() => Caller>;
}

/** What a backend gives its engine: the services, and their staged forms when it has them. */
export interface BackendServices extends Services {
  readonly staged?: StagedServices;
}

export interface ServiceOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly scryptCost?: ScryptCost;
  readonly clock?: () => number;
  readonly random?: () => number;
}

/** Builds the services a backend offers its flows, on a store. */
export function createServices(options: ServiceOptions): Services & { readonly staged: StagedServices } {
  const { store, log } = options;
  const clock = options.clock ?? Date.now;
  const cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  const stored = <T>(op: string, fields: Record<string, unknown>, write: () => T): T => {
    try {
      return write();
    } catch (err) {
      if (!isWriteFailure(err)) throw err;
      logWriteFailure(log, store, op, fields, err);
      throw err;
    }
  };
  const withoutHash = (caller: Caller): Caller => ({
    id: caller.id,
    name: caller.name,
    createdAt: caller.createdAt,
    lastCallAt: caller.lastCallAt,
    calls: caller.calls,
  });
  // Counting a call is bookkeeping: when it cannot be stored the caller still gets in and can
  // read, their count simply does not move (the failure is logged).
  const countCall = (caller: Caller): Caller => {
    try {
      return stored('recordCall', { caller: caller.name }, () => store.recordCall(caller.id, clock()));
    } catch (err) {
      if (!isWriteFailure(err)) throw err;
      return withoutHash(caller);
    }
  };
  const staged: StagedServices = {
    async logIn(name, password) {
      const found = store.findCaller(name);
      if (found === undefined || !(await verifyPassword(password, found.passwordHash))) {
        log.warn('login failed', { caller: name });
        return () => undefined;
      }
      return () => {
        log.info('login', { caller: found.name });
        // The caller's last call is the one before this, which the welcome screen reports.
        return { ...countCall(found), lastCallAt: found.lastCallAt };
      };
    },
    async register(name, password) {
      const hash = await hashPassword(password, cost);
      return () => {
        const created = stored('register', { caller: name }, () => store.createCaller(name, hash, clock()));
        log.info('caller registered', { caller: created.name });
        return { ...countCall(created), lastCallAt: null };
      };
    },
  };
  return {
    now: clock,
    random: options.random ?? Math.random,
    findCaller(name) {
      const found = store.findCaller(name);
      return found === undefined ? undefined : withoutHash(found);
    },
    logIn: async (name, password) => (await staged.logIn(name, password))(),
    register: async (name, password) => (await staged.register(name, password))(),
    staged,
    postMessage: (authorId, body) => stored('postMessage', { authorId }, () => store.postMessage(authorId, body, clock())),
    listMessages: (afterId, limit) => store.listMessages(afterId, limit),
    countMessages: () => store.countMessages(),
    sendMail: (fromId, toId, body) => stored('sendMail', { fromId, toId }, () => store.sendMail(fromId, toId, body, clock())),
    inboxIds: (callerId) => store.inboxIds(callerId),
    getMail: (callerId, ids) => store.getMail(callerId, ids),
    markMailRead: (callerId, ids) => stored('markMailRead', { callerId }, () => store.markMailRead(callerId, ids, clock())),
    countUnreadMail: (callerId) => store.countUnreadMail(callerId),
    wallPost: (wall, authorId, body) => stored('wallPost', { wall, authorId }, () => store.postToWall(wall, authorId, body, clock())),
    wallRecent: (wall, limit) => store.listWall(wall, limit),
  };
}
