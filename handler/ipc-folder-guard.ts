/**
 * A backend connects an ipc:// endpoint only in a folder no other user could have put a socket
 * in: owned by this user and writable by nobody else. libzmq reconnects by itself after the proxy
 * restarts, so a folder deleted and re-created by another local user meanwhile would hand callers'
 * input and the backend's replies to whoever bound sockets there; checked at start and again at
 * every (re)connection, where the backend stops rather than talk to it.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Pull, XPublisher } from 'zeromq';
import { ipcPath } from '../common/ipc-endpoint.js';
import type { Logger } from '../common/log.js';

/** Why the folder of ipc:// endpoint `spec` cannot be trusted, or undefined (tcp://, or a folder not made yet, which libzmq waits for). */
export function ipcFolderProblem(source: string, spec: string): string | undefined {
  const path = ipcPath(spec);
  if (path === undefined) return undefined;
  const folder = dirname(path);
  let stat;
  try {
    stat = statSync(folder);
  } catch {
    return undefined;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `${source}: the folder ${folder} of ${spec} belongs to user ${stat.uid}, not to this user (${uid}): another user could have bound that socket`;
  if ((stat.mode & 0o022) !== 0) return `${source}: the folder ${folder} of ${spec} may be written by other users (mode ${(stat.mode & 0o777).toString(8)}), who could bind that socket first: use a folder only this user may write to, such as the 0700 one m2bbs start makes`;
  return undefined;
}

/**
 * The check a backend runs at every (re)connection of one of its sockets: for an ipc endpoint
 * whose folder turned untrusted it logs the problem (BBS_ERR_ENDPOINT_FOLDER), calls `refuse`
 * (once for all endpoints: close the sockets and stop) and returns the problem; else undefined.
 */
export function folderGuard(log: Logger, refuse: () => void): (source: string, spec: string) => string | undefined {
  let refused = false;
  return (source, spec) => {
    const problem = ipcFolderProblem(source, spec);
    if (problem === undefined) return undefined;
    if (!refused) {
      refused = true;
      log.error('endpoint folder not trusted; backend stops', { code: 'BBS_ERR_ENDPOINT_FOLDER', problem });
      refuse();
    }
    return problem;
  };
}

/** Runs `guard` (see folderGuard) whenever a libzmq socket connects to one of its ipc endpoints. */
export function guardIpcReconnects(sockets: readonly { readonly socket: Pull | XPublisher; readonly source: string; readonly spec: string }[], guard: (source: string, spec: string) => string | undefined): void {
  for (const { socket, source, spec } of sockets) {
    if (ipcPath(spec) === undefined) continue;
    socket.events.on('connect', () => guard(source, spec));
  }
}
