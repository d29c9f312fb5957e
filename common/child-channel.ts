/**
 * The private channel between `m2bbs start` and the processes it runs (Node's IPC channel): a
 * child says it is ready, or why it could not start, as typed messages, never as log text, so a
 * log level or a reworded log line cannot stall the supervisor.
 */

/** One backend number and the endpoints the proxy bound for it. */
export interface BoundBackend {
  readonly number: string;
  readonly sendSpec: string;
  readonly recvSpec: string;
}

/** A host and port as bound. */
export interface BoundAddress {
  readonly host: string;
  readonly port: number;
}

/** What a child tells its supervisor. */
export type ChildMessage =
  | { readonly type: 'proxy-ready'; readonly front: BoundAddress; readonly telnet: BoundAddress; readonly backends: readonly BoundBackend[] }
  /** The proxy sees a backend process connected on the link whose send spec is `sendSpec` (one generation of `backend`). */
  | { readonly type: 'backend-connected'; readonly backend: string; readonly sendSpec: string }
  | { readonly type: 'backend-ready'; readonly backend: string }
  | { readonly type: 'failed'; readonly message: string }
  /** The proxy bound the link an `add-link` asked for (`request` echoes its id), with the endpoints as bound. */
  | { readonly type: 'link-added'; readonly request: number; readonly backend: BoundBackend }
  /** The proxy could not bind the link an `add-link` asked for. */
  | { readonly type: 'link-failed'; readonly request: number; readonly message: string }
  /** A backend has begun to drain (SIGTERM): from now on it counts the calls moved off it, and takes no new one. */
  | { readonly type: 'draining'; readonly backend: string; readonly callers: number }
  /** A backend finished draining and is about to exit: `moved` calls handed off, `left` still held when the time limit came, in `ms`. */
  | { readonly type: 'drained'; readonly backend: string; readonly moved: number; readonly left: number; readonly ms: number }
  /** The proxy: `waiting` calls on the draining link `sendSpec` (of `backend`) stay where they are, no free line being left elsewhere. */
  | { readonly type: 'drain-waits'; readonly backend: string; readonly sendSpec: string; readonly waiting: number };

/**
 * What the supervisor tells a child. To a backend: the proxy died, so the callers it carried are
 * gone. To the proxy: bind a link for one more generation of a number (or a new number), stop
 * dialling a link (it is about to drain), or drop a link whose process has exited.
 */
export type SupervisorMessage =
  | { readonly type: 'proxy-gone' }
  | { readonly type: 'add-link'; readonly request: number; readonly number: string; readonly sendSpec: string; readonly recvSpec: string }
  | { readonly type: 'drain-link'; readonly sendSpec: string }
  | { readonly type: 'remove-link'; readonly sendSpec: string };

/** True when this process was started by a supervisor with a channel to it. */
export function hasSupervisor(): boolean {
  return typeof process.send === 'function' && process.connected;
}

/** Sends `message` to the supervisor, resolving once it is sent; does nothing for a child run by hand. */
export function tellSupervisor(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    // An error here means the supervisor has just gone, which 'disconnect' handles.
    if (hasSupervisor()) process.send?.(message, undefined, undefined, () => resolve());
    else resolve();
  });
}

/** Calls `gone` once when the supervisor's channel closes (the supervisor exited or was killed). */
export function whenSupervisorGone(gone: () => void): void {
  // No channel at all is a child run by hand; a channel already closed is a supervisor that went
  // while this process was still starting.
  if (typeof process.send !== 'function') return;
  if (process.connected) process.once('disconnect', gone);
  else setImmediate(gone);
}

/** Calls `heard` with each message from the supervisor (none for a child run by hand). */
export function whenSupervisorSays(heard: (message: SupervisorMessage) => void): void {
  if (!hasSupervisor()) return;
  process.on('message', (value: unknown) => {
    const message = parseSupervisorMessage(value);
    if (message !== undefined) heard(message);
  });
}

/** The message the supervisor sent, or undefined for anything that is not one (never throws). */
function parseSupervisorMessage(value: unknown): SupervisorMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'proxy-gone':
      return { type: 'proxy-gone' };
    case 'add-link':
      return typeof m.request === 'number' && typeof m.number === 'string' && typeof m.sendSpec === 'string' && typeof m.recvSpec === 'string'
        ? { type: 'add-link', request: m.request, number: m.number, sendSpec: m.sendSpec, recvSpec: m.recvSpec }
        : undefined;
    case 'drain-link':
    case 'remove-link':
      return typeof m.sendSpec === 'string' ? { type: m.type, sendSpec: m.sendSpec } : undefined;
    default:
      return undefined;
  }
}

/** The message a child sent, or undefined for anything that is not one (never throws). */
export function parseChildMessage(value: unknown): ChildMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'proxy-ready':
      return isAddress(m.front) && isAddress(m.telnet) && Array.isArray(m.backends) && m.backends.every(isBackend)
        ? { type: 'proxy-ready', front: m.front, telnet: m.telnet, backends: m.backends }
        : undefined;
    case 'backend-connected':
      return typeof m.backend === 'string' && typeof m.sendSpec === 'string' ? { type: 'backend-connected', backend: m.backend, sendSpec: m.sendSpec } : undefined;
    case 'link-added':
      return typeof m.request === 'number' && isBackend(m.backend) ? { type: 'link-added', request: m.request, backend: m.backend } : undefined;
    case 'link-failed':
      return typeof m.request === 'number' && typeof m.message === 'string' ? { type: 'link-failed', request: m.request, message: m.message } : undefined;
    case 'drained':
      return typeof m.backend === 'string' && [m.moved, m.left, m.ms].every((n) => typeof n === 'number')
        ? { type: 'drained', backend: m.backend, moved: m.moved as number, left: m.left as number, ms: m.ms as number }
        : undefined;
    case 'drain-waits':
      return typeof m.backend === 'string' && typeof m.sendSpec === 'string' && typeof m.waiting === 'number'
        ? { type: 'drain-waits', backend: m.backend, sendSpec: m.sendSpec, waiting: m.waiting }
        : undefined;
    case 'draining':
      return typeof m.backend === 'string' && typeof m.callers === 'number' ? { type: 'draining', backend: m.backend, callers: m.callers } : undefined;
    case 'backend-ready':
      return typeof m.backend === 'string' ? { type: 'backend-ready', backend: m.backend } : undefined;
    case 'failed':
      return typeof m.message === 'string' ? { type: 'failed', message: m.message } : undefined;
    default:
      return undefined;
  }
}

function isAddress(value: unknown): value is BoundAddress {
  const a = value as Partial<BoundAddress> | null;
  return typeof a === 'object' && a !== null && typeof a.host === 'string' && typeof a.port === 'number';
}

function isBackend(value: unknown): value is BoundBackend {
  const b = value as Partial<BoundBackend> | null;
  return typeof b === 'object' && b !== null && typeof b.number === 'string' && typeof b.sendSpec === 'string' && typeof b.recvSpec === 'string';
}
