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
  | { readonly type: 'backend-connected'; readonly backend: string }
  | { readonly type: 'backend-ready'; readonly backend: string }
  | { readonly type: 'failed'; readonly message: string };

/** What the supervisor tells a child: the proxy died, so the callers it carried are gone. */
export type SupervisorMessage = { readonly type: 'proxy-gone' };

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
    if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'proxy-gone') heard({ type: 'proxy-gone' });
  });
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
      return typeof m.backend === 'string' ? { type: 'backend-connected', backend: m.backend } : undefined;
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
