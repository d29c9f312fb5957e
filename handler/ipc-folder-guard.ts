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
 * Checks the folder of each ipc endpoint again whenever `socket` (re)connects; on a problem, logs
 * it (BBS_ERR_ENDPOINT_FOLDER) and calls `refuse` once, which closes the sockets and stops.
 */
export function guardIpcReconnects(sockets: readonly { readonly socket: Pull | XPublisher; readonly source: string; readonly spec: string }[], log: Logger, refuse: () => void): void {
  let refused = false;
  for (const { socket, source, spec } of sockets) {
    if (ipcPath(spec) === undefined) continue;
    socket.events.on('connect', () => {
      const problem = ipcFolderProblem(source, spec);
      if (problem === undefined || refused) return;
      refused = true;
      log.error('endpoint folder not trusted; backend stops', { code: 'BBS_ERR_ENDPOINT_FOLDER', problem });
      refuse();
    });
  }
}
