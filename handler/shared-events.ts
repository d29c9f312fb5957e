/**
 * The events that resume listens, as journal values stored once: every listener of a room is
 * resumed with the same event objects, so its row names one shared value (db/journal-chain.ts)
 * instead of holding a copy, and a line said to a thousand callers is written once.
 */
import { randomBytes } from 'node:crypto';
import type { SharedValue } from '../db/journal-store.js';
import type { BusEvent } from './effects.js';

// Each event's JSON, made once: every listener of a room journals the same event objects.
const eventJson = new WeakMap<BusEvent, string>();

/** `JSON.stringify(events)`, each event stringified once however many sessions journal it. */
function eventsJson(events: readonly BusEvent[]): string {
  let json = '[';
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    let one = eventJson.get(event);
    if (one === undefined) eventJson.set(event, (one = JSON.stringify(event)));
    json += i === 0 ? one : `,${one}`;
  }
  return `${json}]`;
}

// Each event object a serial, so listeners resumed with the same events find one shared value.
const eventSerial = new WeakMap<BusEvent, number>();
let serials = 0;
// This process's shared values: a nonce (keys are unique for good, across restarts and
// backends) and a counter.
const SHARED_NONCE = randomBytes(9).toString('base64url');
let sharedCount = 0;
// The shared value of the events lately journaled, by their serials; the bound keeps it small.
const MAX_SHARED_KEPT = 64;
const sharedByEvents = new Map<string, SharedValue>();

/**
 * The events as one value journaled once however many listeners they resume (a room's line said
 * to a thousand callers is stored once, each listener's row naming it).
 */
export function sharedEvents(events: readonly BusEvent[]): SharedValue {
  let ids = '';
  for (const event of events) {
    let serial = eventSerial.get(event);
    if (serial === undefined) eventSerial.set(event, (serial = ++serials));
    ids += `${serial},`;
  }
  let shared = sharedByEvents.get(ids);
  if (shared === undefined) {
    if (sharedByEvents.size >= MAX_SHARED_KEPT) sharedByEvents.clear();
    shared = { key: `${SHARED_NONCE}.${++sharedCount}`, value: eventsJson(events) };
    sharedByEvents.set(ids, shared);
  }
  return shared;
}

// Values joined from two: the listeners of a room join the same two, so each join is made once.
const joinedByPair = new Map<string, SharedValue>();
// A row of joined events stays below this (a quiet reader of a busy room gets a new row then).
const MAX_JOINED_CHARS = 64 * 1024;

/** The events of `first` then those of `then` as one shared value, or undefined when it would grow too long. */
export function joinShared(first: SharedValue, then: SharedValue): SharedValue | undefined {
  if (first.value.length + then.value.length > MAX_JOINED_CHARS) return undefined;
  const pair = `${first.key} ${then.key}`;
  let joined = joinedByPair.get(pair);
  if (joined === undefined) {
    if (joinedByPair.size >= MAX_SHARED_KEPT) joinedByPair.clear();
    // Both are JSON arrays of at least one event.
    joined = { key: `${SHARED_NONCE}.${++sharedCount}`, value: `${first.value.slice(0, -1)},${then.value.slice(1)}` };
    joinedByPair.set(pair, joined);
  }
  return joined;
}
