/**
 * A backend's watch for hang-up orders aimed at the lines it holds (db/hang-up-orders.ts). Cheap
 * when nothing happens: `PRAGMA data_version` says whether another connection committed since the
 * last look, and only then are orders newer than the last one seen read (a range of the primary
 * key). Orders made through this backend's own connection, which `data_version` does not count,
 * are noticed by the store's count of them. Old orders and login failures are pruned now and then.
 */
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { Store } from '../db/store.js';
import type { Engine } from './engine.js';

// How often a backend looks for orders.
const HANG_UP_WATCH_MS = 250;

// Orders are kept a day (a sysop can see who was hung up), login failures until their window passes.
const ORDER_KEEP_MS = 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/** A running watch. */
export interface HangUpWatch {
  stop(): void;
}

/** Watches `store` for hang-up orders and has `engine` carry out those for its lines. */
export function watchHangUpOrders(store: Store, engine: Engine, log: Logger, loginWindowMs: number): HangUpWatch {
  const orders = store.hangUps;
  let version = -1;
  let madeHere = orders.madeHere;
  let lastId = 0;
  let prunedAt = 0;
  try {
    version = orders.dataVersion();
    // Orders made before this backend started were for lines it did not hold; a call taken
    // over later is checked for missed ones when it is (engine.ts).
    lastId = orders.lastId();
  } catch (error) {
    log.error('hang-up orders not read', { error: describeError(error) });
  }

  function look(): void {
    try {
      const now = Date.now();
      if (now - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = now;
        orders.prune(now - ORDER_KEEP_MS);
        store.throttle.prune(now, loginWindowMs);
      }
      const seen = orders.dataVersion();
      if (seen === version && orders.madeHere === madeHere) return;
      version = seen;
      madeHere = orders.madeHere;
      for (const order of orders.since(lastId)) {
        lastId = order.id;
        if (engine.hangUpLine(order)) orders.done(order.id, now);
      }
    } catch (error) {
      log.error('hang-up orders not read', { error: describeError(error) });
    }
  }

  const timer = setInterval(look, HANG_UP_WATCH_MS).unref();
  return { stop: () => clearInterval(timer) };
}
