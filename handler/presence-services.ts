/** The services of who's online and last callers: reads of the presence and calls tables. */
import type { OnlineCaller, PastCall } from '../db/presence-store.js';
import type { Store } from '../db/store.js';
import { FRESH_MS } from './presence.js';

/** What flows may ask of presence; reads only (their results are journaled like any call's). */
export interface PresenceServices {
  /** Every call on every number whose backend is alive, longest on first. */
  whosOnline(): OnlineCaller[];
  /** The newest `limit` logins, newest first. */
  lastCallers(limit: number): PastCall[];
}

/** Builds the presence services on a store; times from `clock`. */
export function createPresenceServices(store: Store, clock: () => number): PresenceServices {
  return {
    whosOnline: () => store.presence.online(clock() - FRESH_MS),
    lastCallers: (limit) => store.presence.lastCallers(limit),
  };
}
