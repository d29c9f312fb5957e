/**
 * What flows may ask of the world: the clock, randomness and the BBS's data. Flows reach these
 * only through `call(...)` effects, so a conversation stays deterministic given their results.
 */
import type { Logger } from '../common/log.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from '../db/password.js';
import type { Draft } from '../db/drafts.js';
import type { MailCursor, MailPage } from '../db/mail-store.js';
import type { Caller, PublicMessage, Store, WallLine } from '../db/store.js';
import { createAccessServices, type AccessServices } from './access-services.js';
import { createAreaServices, type AreaServices } from './area-services.js';
import { CHAT_WRITES, createChatServices, type ChatServices } from './chat-services.js';
import { DEFAULT_HASH_PACE, HashPacing, type HashPace } from './hash-pacing.js';
import { DEFAULT_LIMITS } from './limits.js';
import { createPresenceServices, type PresenceServices } from './presence-services.js';
import { createLoginServices, type LineContext, type LockNotice, type LoginResult, type LoginRules, type NewPassword } from './login-services.js';
import { createStoredOr, throwOn } from './write-failure-log.js';

export type { LineContext, LockNotice, LoginResult, NewPassword } from './login-services.js';

/**
 * The services flows may call. A write that is not stored (postMessage, sendMail, register,
 * markMailRead, wallPost) throws a BbsError with a code from WRITE_FAILURE_CODES, after the
 * failure is logged; logIn still logs the caller in when only counting the call fails.
 */
export interface Services extends AreaServices, ChatServices, PresenceServices, AccessServices {
  now(): number;
  random(): number;
  findCaller(name: string): Caller | undefined;
  /** The lock in force on `name` or on the caller's address, if any. */
  loginLock(name: string, at?: LineContext): LockNotice | undefined;
  /**
   * Checks a password (refused while the name or address is locked) and counts the call, or the
   * wrong password; `lastCallAt` is the call before this one.
   */
  logIn(name: string, password: string, at?: LineContext): Promise<LoginResult>;
  register(name: string, password: string, at?: LineContext): Promise<Caller>;
  /**
   * Hashes a new caller's password the moment it is typed, so only its hash (journaled as the
   * result) is carried to the repeat and the sign-up: a move in between replays without asking
   * again. A password of a length outside min..max is not hashed: the problem is said instead.
   */
  hashNewPassword(password: string, min: number, max: number, at?: LineContext): Promise<NewPassword>;
  /** True when the repeat of a new password matches the hash hashNewPassword gave. */
  samePassword(repeat: string, hash: string, at?: LineContext): Promise<boolean>;
  /** Registers a new caller with a password hashNewPassword hashed. */
  registerHashed(name: string, hash: string, at?: LineContext): Promise<Caller>;
  /**
   * Posts in General (the built-in flows post with postToArea, in the area the caller picks); kept
   * for sysops' flow modules and for conversations journaled before areas, which replay it.
   */
  postMessage(authorId: number, body: string): number;
  /** Messages after `afterId` in the areas in force (an archived area's are left out), oldest first; for flow modules. */
  listMessages(afterId: number, limit: number): PublicMessage[];
  /** How many messages the database holds, archived areas' too. */
  countMessages(): number;
  /**
   * How many minutes (rounded up) until the caller may store another message, reply, mail or wall
   * line, when `perHour` of them in the last hour is the limit; 0 when they may now, or perHour is 0.
   */
  writingWait(callerId: number, perHour: number): number;
  /** Keeps what the caller was writing when their line ended (`what`: "a message", "mail to bob"), for their next call. */
  keepDraft(callerId: number, what: string, body: string): void;
  /** The draft kept from the caller's last call, given once (it is deleted); undefined for none. */
  takeDraft(callerId: number): Draft | undefined;
  /** The mail's id, or undefined when the recipient is no caller any more (deleted while the mail was written). */
  sendMail(fromId: number, toId: number, body: string): number | undefined;
  /** What a walk through the inbox starts from: the counts, and its opening, after every read time so far (mail read from then on is not shown twice). */
  openInbox(callerId: number): InboxOpened;
  /** Up to `limit` mails after `after`, unread or read before the inbox was opened (see MailStore.page). */
  mailPage(callerId: number, after: MailCursor | undefined, openedAt: number, limit: number): MailPage;
  /** Marks mail read now, or at `openedAt` if the clock is behind it: a walk never shows again what it marked. */
  markMailRead(callerId: number, ids: readonly number[], openedAt?: number): void;
  countUnreadMail(callerId: number): number;
  /** Adds a line to a named wall (one-liners, a guest book) and returns its id. */
  wallPost(wall: string, authorId: number, body: string): number;
  /** The last `limit` lines of a named wall, oldest first. */
  wallRecent(wall: string, limit: number): WallLine[];
}

/** An inbox opened for reading: its counts, and when (mail read from then on is not shown twice). */
export interface InboxOpened {
  readonly unread: number;
  readonly total: number;
  readonly openedAt: number;
}

// The writing limit's window (--writes-per-hour).
const HOUR_MS = 60 * 60_000;

/** Arguments of a service that are secrets: never journaled, never in a fingerprint. */
export const SECRET_ARGUMENTS: Partial<Record<keyof Services, readonly number[]>> = { logIn: [1], register: [1], hashNewPassword: [0], samePassword: [0, 1], registerHashed: [1], checkPassword: [1], setPassword: [1] };

/** Services the engine gives the call's LineContext as one more, last argument (never journaled, never in a fingerprint). */
export const LINE_SERVICES: ReadonlySet<keyof Services> = new Set<keyof Services>(['loginLock', 'logIn', 'register', 'registerHashed', 'banOf', 'hashNewPassword', 'samePassword', 'checkPassword']);

/** Services that write: a durable conversation runs each inside the transaction that journals its result. */
export const WRITE_SERVICES: ReadonlySet<keyof Services> = new Set<keyof Services>(['postMessage', 'sendMail', 'markMailRead', 'wallPost', 'postToArea', 'readArea', 'setPassword', 'keepDraft', 'takeDraft', ...CHAT_WRITES]);

/**
 * The slow services split in two: the slow part (hashing) first, with no write, resolving to the
 * write still to make, which a durable conversation runs in the transaction that journals it.
 */
export interface StagedServices {
  logIn(name: string, password: string, at?: LineContext): Promise<() => LoginResult>;
  register(name: string, password: string, at?: LineContext): Promise<() => Caller>;
  registerHashed(name: string, hash: string, at?: LineContext): Promise<() => Caller>;
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
  /** How wrong passwords lock a name; DEFAULT_LIMITS' unless given. */
  readonly login?: LoginRules;
  /** How fast one address may make the backend hash passwords; DEFAULT_HASH_PACE unless given. */
  readonly hashPace?: HashPace;
}

/** Builds the services a backend offers its flows, on a store. */
export function createServices(options: ServiceOptions): Services & { readonly staged: StagedServices } {
  const { store, log } = options;
  const clock = options.clock ?? Date.now;
  const cost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
  const storedOr = createStoredOr(log, store);
  const stored = <T>(op: string, fields: Record<string, unknown>, write: () => T): T => storedOr(op, fields, write, throwOn);
  const withoutHash = (caller: Caller): Caller => ({
    id: caller.id,
    name: caller.name,
    createdAt: caller.createdAt,
    lastCallAt: caller.lastCallAt,
    calls: caller.calls,
  });
  // Counting a call is bookkeeping: when it cannot be stored the caller still gets in and can
  // read, their count simply does not move (the failure is logged).
  const countCall = (caller: Caller): Caller => storedOr('recordCall', { caller: caller.name }, () => store.recordCall(caller.id, clock()), () => withoutHash(caller));
  const rules = options.login ?? DEFAULT_LIMITS;
  // Addresses told apart (not all one reverse proxy's): each one's hashing is paced.
  const pacing = rules.loginAddressLockAfter > 0 ? new HashPacing(options.hashPace ?? DEFAULT_HASH_PACE, Date.now, undefined, store.hashBuckets) : undefined;
  const login = createLoginServices({ store, log, cost, clock, rules, countCall, storedOr, pacing });
  const staged: StagedServices = { logIn: login.logIn, register: login.register, registerHashed: login.registerHashed };
  return {
    now: clock,
    random: options.random ?? Math.random,
    findCaller(name) {
      const found = store.findCaller(name);
      return found === undefined ? undefined : withoutHash(found);
    },
    loginLock: login.loginLock,
    logIn: async (name, password, at) => (await staged.logIn(name, password, at))(),
    register: async (name, password, at) => (await staged.register(name, password, at))(),
    hashNewPassword: login.hashNewPassword,
    samePassword: login.samePassword,
    registerHashed: async (name, hash, at) => (await staged.registerHashed(name, hash, at))(),
    staged,
    postMessage: (authorId, body) => stored('postMessage', { authorId }, () => store.postMessage(authorId, body, clock())),
    listMessages: (afterId, limit) => store.listMessages(afterId, limit),
    countMessages: () => store.countMessages(),
    writingWait: (callerId, perHour) => {
      if (perHour === 0) return 0;
      const now = clock();
      const times = store.writtenSince(callerId, now - HOUR_MS + 1, perHour);
      const oldest = times[perHour - 1];
      return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + HOUR_MS - now) / 60_000));
    },
    keepDraft: (callerId, what, body) => stored('keepDraft', { callerId }, () => store.drafts.keep(callerId, what, body, clock())),
    // A draft that cannot be taken (disk full) is shown next time: the caller just does not see it now.
    takeDraft: (callerId) => storedOr('takeDraft', { callerId }, () => store.drafts.take(callerId), () => undefined),
    sendMail: (fromId, toId, body) => stored('sendMail', { fromId, toId }, () => store.mail.send(fromId, toId, body, clock())),
    openInbox: (callerId) => ({ unread: store.mail.countUnread(callerId), total: store.mail.count(callerId), openedAt: Math.max(clock(), store.mail.lastRead(callerId) + 1) }),
    mailPage: (callerId, after, openedAt, limit) => store.mail.page(callerId, after, openedAt, limit),
    markMailRead: (callerId, ids, openedAt) => stored('markMailRead', { callerId }, () => store.mail.markRead(callerId, ids, Math.max(clock(), openedAt ?? 0))),
    countUnreadMail: (callerId) => store.mail.countUnread(callerId),
    wallPost: (wall, authorId, body) => stored('wallPost', { wall, authorId }, () => store.postToWall(wall, authorId, body, clock())),
    wallRecent: (wall, limit) => store.listWall(wall, limit),
    ...createAreaServices(store, log, clock),
    ...createChatServices(store, log, clock),
    ...createPresenceServices(store, clock),
    ...createAccessServices(store, log, storedOr, pacing),
  };
}
