/** The services of chat and paging: saying a line, the backlog, paging a caller, answering a page, do not disturb. */
import type { Logger } from '../common/log.js';
import type { ChatLine, PageOutcome, WaitingPage } from '../db/chat-store.js';
import type { Store } from '../db/store.js';
import { chatActivity } from './flows/chat.js';
import { FRESH_MS } from './presence.js';
import { createStoredOr, throwOn } from './write-failure-log.js';

/** What flows may ask of chat; all but chatBacklog are journaled writes (WRITE_SERVICES). */
export interface ChatServices {
  /** Stores a line said in `room`; returns its id, or 'flood' (not stored) past `floodLines` lines in `floodSeconds`. */
  chatSay(room: string, callerId: number, name: string, kind: 'chat' | 'me', body: string, floodLines?: number, floodSeconds?: number): number | 'flood';
  /** The caller enters `room`; true when that is announced (no announced entry of theirs into it in the last `quietSeconds`). */
  chatEnter(room: string, callerId: number, quietSeconds: number): boolean;
  /** The lines said in `room` in the last `minutes`, at most `limit`, oldest first. */
  chatBacklog(room: string, minutes: number, limit: number): ChatLine[];
  /** Pages caller `name`, at most `perMinute` pages a minute from `fromId`; `crossed` (no new page) when `name` is paging `fromId` already. */
  pageCaller(fromId: number, name: string, perMinute: number): PageOutcome;
  /** The caller's newest page of the last `minutes` not yet answered, now answered `how` (unless its pager stopped waiting: `withdrawn`). */
  answerPage(toId: number, minutes: number, how: 'joined' | 'ignored'): WaitingPage | undefined;
  /** The pager gave up waiting for page `id`. */
  withdrawPage(id: number, fromId: number): void;
  /** Turns do-not-disturb on or off; returns whether it is on now. */
  toggleDnd(callerId: number): boolean;
  /** Who is in `room` now, as who's online tells (`self`, who asks, always among them). */
  chatWho(room: string, self: string): string[];
}



/** Services among these that write: run in the commit that journals them. */
export const CHAT_WRITES = ['chatSay', 'chatEnter', 'pageCaller', 'answerPage', 'withdrawPage', 'toggleDnd'] as const;

const MINUTE = 60_000;
/** How long a page can be answered with J or X (the paging flow's window). */
export const PAGE_MINUTES = 10;
/** How far back a page counts as crossing one made the other way: the same window as J's. */
export const CROSS_MINUTES = PAGE_MINUTES;

/** Builds the chat services on a store; times from `clock`. */
export function createChatServices(store: Store, log: Logger, clock: () => number): ChatServices {
  const storedOr = createStoredOr(log, store);
  const stored = <T>(op: string, fields: Record<string, unknown>, write: () => T): T => storedOr(op, fields, write, throwOn);
  return {
    chatSay: (room, callerId, name, kind, body, floodLines, floodSeconds) => {
      const now = clock();
      const flood = floodLines === undefined || floodSeconds === undefined ? undefined : { lines: floodLines, since: now - floodSeconds * 1000 + 1 };
      return stored('chatSay', { room, callerId }, () => store.chat.say(room, callerId, name, kind, body, now, flood));
    },
    chatEnter: (room, callerId, quietSeconds) => {
      const now = clock();
      return stored('chatEnter', { room, callerId }, () => store.chat.enter(room, callerId, now, now - quietSeconds * 1000));
    },
    chatBacklog: (room, minutes, limit) => store.chat.backlog(room, clock() - minutes * MINUTE, limit),
    pageCaller: (fromId, name, perMinute) => {
      const now = clock();
      return stored('pageCaller', { fromId }, () => store.chat.page(fromId, name, now, now - MINUTE, perMinute, now - FRESH_MS, now - CROSS_MINUTES * MINUTE));
    },
    answerPage: (toId, minutes, how) => {
      const now = clock();
      return stored('answerPage', { toId }, () => store.chat.answerPage(toId, now - minutes * MINUTE, how, now, now - FRESH_MS));
    },
    withdrawPage: (id, fromId) => stored('withdrawPage', { id, fromId }, () => store.chat.withdrawPage(id, fromId, clock())),
    toggleDnd: (callerId) => stored('toggleDnd', { callerId }, () => store.chat.toggleDnd(callerId)),
    chatWho: (room, self) => {
      // The callers whose latest entry was into THIS room and who are still in a chat of its kind.
      const names = store.chat.inRoom(room, chatActivity(room), clock() - FRESH_MS);
      return names.some((name) => name.toLowerCase() === self.toLowerCase()) ? names : [...names, self].sort((a, b) => a.localeCompare(b));
    },
  };
}
