/**
 * The proxy's caps on connections, across all its doors: per remote address, connections that
 * have not logged in yet (from accept until the call logs in or closes) and connections opened a
 * minute; and all connections open at once. A connection past a cap is refused before any
 * backend is dialled.
 */
import { canonicalAddress } from '../common/remote-address.js';
import type { Socket } from 'node:net';
import type { Logger } from '../common/log.js';
import type { ErrorCode } from '../common/errors.js';
import { ConnectionRate } from './connection-rate.js';
import { createRefusalLog, type RefusalLog } from './refusal-log.js';

const CAP_REFUSED: ErrorCode = 'BBS_ERR_CONNECTION_CAP';

/** How many connections the proxy lets in; 0 means no cap. */
export interface CapLimits {
  /** Connections from one address that have not logged in yet. */
  readonly maxPerAddress: number;
  /** Connections open at once, logged in or not. */
  readonly maxConnections: number;
  /** Connections one address may open a minute (as many at once, then one every 60/N s); none given: no limit. */
  readonly connectionsPerMinute?: number;
}

/** Why a connection was turned away, in words for the caller. */
export interface Refusal {
  readonly cap: 'per-address' | 'total' | 'rate';
  readonly message: string;
  /** When to try again, as an HTTP refusal's Retry-After says (60 when not given). */
  readonly retryAfterSeconds?: number;
}

/** The caps as the doors use them. */
export interface ConnectionCaps {
  /**
   * Counts `socket` in, or says why it is refused (then it is not counted). The door that admitted
   * it calls closed() when it closes, from the one close listener it has anyway: a listener of the
   * caps' own would be a third on most sockets, and EventEmitter's array of three or more
   * listeners holds room for nineteen (about 190 bytes a caller).
   */
  admit(socket: Socket): Refusal | undefined;
  /** An admitted socket closed: it counts no more. */
  closed(socket: Socket): void;
  /** Someone logged in on `socket`: it stops counting against its address (it still counts in the total). */
  loggedIn(socket: Socket): void;
  /** Connections counted now. */
  readonly open: number;
  /** Connections not logged in from `address` now. */
  loggingIn(address: string): number;
}

/** Creates the caps; a refusal is logged through `refusals` (at most a line a minute per address, and for the total). */
export function createConnectionCaps(limits: CapLimits, log: Logger, now: () => number = Date.now, refusals: RefusalLog = createRefusalLog(log, now)): ConnectionCaps {
  const { maxPerAddress, maxConnections } = limits;
  const rate = limits.connectionsPerMinute === undefined || limits.connectionsPerMinute <= 0 ? undefined : new ConnectionRate(limits.connectionsPerMinute, now);
  // Sockets still counted against their address, and how many per address.
  const pending = new Map<Socket, string>();
  const perAddress = new Map<string, number>();
  let open = 0;

  function release(socket: Socket): void {
    const address = pending.get(socket);
    if (address === undefined) return;
    pending.delete(socket);
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left <= 0) perAddress.delete(address);
    else perAddress.set(address, left);
  }

  return {
    admit(socket) {
      const address = canonicalAddress(socket.remoteAddress);
      if (maxConnections > 0 && open >= maxConnections) {
        refusals.refused('warn', 'connection refused: the proxy is at its cap on connections', 'total', { code: CAP_REFUSED, open, max: maxConnections, flag: '--max-connections' });
        return { cap: 'total', message: `The BBS has too many connections open right now (${maxConnections}); try again in a minute.` };
      }
      const count = perAddress.get(address) ?? 0;
      if (maxPerAddress > 0 && count >= maxPerAddress) {
        refusals.refused('warn', 'connection refused: too many callers from one address are logging in', address, { code: CAP_REFUSED, loggingIn: count, max: maxPerAddress, flag: '--max-per-address' });
        return { cap: 'per-address', message: `Too many callers from your address are logging in at once (${maxPerAddress}); try again in a minute.` };
      }
      // Taken only from a connection let in otherwise: one refused by another cap costs its address nothing more.
      const waitSeconds = rate?.take(address) ?? 0;
      if (waitSeconds > 0) {
        refusals.refused('warn', 'connection refused: one address is opening connections too fast', address, { code: CAP_REFUSED, perMinute: limits.connectionsPerMinute, flag: '--connections-per-minute' });
        return { cap: 'rate', message: `Too many calls from your address in the last minute (${limits.connectionsPerMinute ?? 0} a minute at most); try again in ${waitSeconds} s.`, retryAfterSeconds: waitSeconds };
      }
      open++;
      pending.set(socket, address);
      perAddress.set(address, count + 1);
      return undefined;
    },
    closed(socket) {
      release(socket);
      open--;
    },
    loggedIn: release,
    get open() {
      return open;
    },
    loggingIn(address) {
      return perAddress.get(canonicalAddress(address)) ?? 0;
    },
  };
}
