/** The services of message areas: listing them, posting and replying, reading with read marks, the new scan. */
import type { Logger } from '../common/log.js';
import type { Area, AreaMessage, AreaNews } from '../db/areas-store.js';
import type { Store } from '../db/store.js';
import { createStoredOr, throwOn } from './write-failure-log.js';

/** What flows may ask of the areas; postToArea and readArea are journaled writes (WRITE_SERVICES). */
export interface AreaServices {
  /** The areas in force, in the sysop's order. */
  listAreas(): Area[];
  /**
   * Posts in an area, as a reply to message `replyTo` when not null; returns the new message's id,
   * or undefined when the area is archived (nothing stored).
   */
  postToArea(areaId: number, authorId: number, body: string, replyTo: number | null): number | undefined;
  /** A page of an area after `afterId`; the caller's read mark moves up to its last message in the same commit. */
  readArea(callerId: number, areaId: number, afterId: number, limit: number): AreaMessage[];
  /** One message by its number, or undefined when there is none in an area in force. */
  getMessage(id: number): AreaMessage | undefined;
  /** Each area with what the caller has not read yet. */
  newScan(callerId: number): AreaNews[];
}

/** Builds the area services on a store; times from `clock`. */
export function createAreaServices(store: Store, log: Logger, clock: () => number): AreaServices {
  const storedOr = createStoredOr(log, store);
  return {
    listAreas: () => store.areas.list(),
    // Logged as postMessage, as posts were before areas: a sysop's log searches keep working.
    postToArea: (areaId, authorId, body, replyTo) => storedOr('postMessage', { areaId, authorId }, () => store.areas.post(areaId, authorId, body, replyTo, clock()), throwOn),
    // A read mark that cannot be stored is bookkeeping: the caller still reads (the failure is logged).
    readArea: (callerId, areaId, afterId, limit) => storedOr('readArea', { callerId, areaId }, () => store.areas.read(callerId, areaId, afterId, limit), () => store.areas.messages(areaId, afterId, limit)),
    getMessage: (id) => store.areas.message(id),
    newScan: (callerId) => store.areas.news(callerId),
  };
}
