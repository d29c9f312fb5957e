/**
 * The private folder of `m2bbs start`'s `ipc://` endpoints: made 0700 for the BBS's user alone,
 * so no other local user can reach a backend's sockets, and removed when the BBS stops.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipcPath, ipcPathProblem } from '../common/ipc-endpoint.js';
import type { BackendSpec } from './backend-link.js';
import { removeRunFile } from './run-file.js';

/** The subfolder of the private folder where `m2bbs start --zmq curve` keeps its throwaway keys. */
export const START_KEYS_FOLDER = 'keys';

/** Makes a fresh private folder (mode 0700, owned by this user) under the system's temp folder. */
export function makeEndpointFolder(): string {
  // mkdtemp makes it 0700 whatever the umask; a short prefix keeps socket paths well under the limit.
  return mkdtempSync(join(tmpdir(), 'm2bbs-'));
}

/** The two ipc endpoints in `folder` of backend `number` (of its `generation`, 1 by default), or a sentence saying why they cannot be used. */
export function ipcBackendSpec(folder: string, number: string, generation = 1): { readonly spec: BackendSpec } | { readonly problem: string } {
  // The first generation keeps the names a BBS has always had; later ones (rolling upgrades) get their own.
  const stem = generation === 1 ? number : `${number}.g${generation}`;
  const spec = { number, sendSpec: `ipc://${join(folder, `${stem}.requests`)}`, recvSpec: `ipc://${join(folder, `${stem}.replies`)}` };
  const problem = ipcPathProblem(`backend ${number}`, spec.sendSpec) ?? ipcPathProblem(`backend ${number}`, spec.recvSpec);
  return problem === undefined ? { spec } : { problem };
}

/**
 * Makes sure `folder` exists as a directory of this user that no other user may enter, making it
 * (0700) when it is missing; returns why not otherwise. A restarted proxy finds it there.
 */
export function claimEndpointFolder(folder: string): string | undefined {
  try {
    mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot make the endpoint folder ${folder}: ${(error as Error).message}`;
  }
  const stat = lstatSync(folder);
  if (!stat.isDirectory()) return `the endpoint folder ${folder} is not a folder`;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `the endpoint folder ${folder} belongs to user ${stat.uid}, not to this user (${uid})`;
  if ((stat.mode & 0o077) !== 0) return `the endpoint folder ${folder} may be entered by other users (mode ${(stat.mode & 0o777).toString(8)}); it must be 0700`;
  return undefined;
}

/** Removes the ipc socket files of `spec` that are inside `folder` (a link the proxy dropped; libzmq leaves them). */
export function removeIpcFiles(folder: string, spec: BackendSpec): void {
  for (const path of [ipcPath(spec.sendSpec), ipcPath(spec.recvSpec)]) {
    if (path !== undefined && path.startsWith(join(folder, '/'))) rmSync(path, { force: true });
  }
}

/**
 * Removes the socket files of `specs` in `folder` (and, when the proxy stops for good, the keys
 * `m2bbs start` made there), then the folder if nothing else is left in it.
 */
export function removeEndpointFolder(folder: string, specs: readonly BackendSpec[], stopping = false): void {
  // Not after a failed start: a restarted proxy, and backends restarted later, read those keys again.
  // Stopping last (its supervisor killed), the proxy also clears the dead supervisor's control socket.
  if (stopping) {
    rmSync(join(folder, START_KEYS_FOLDER), { recursive: true, force: true });
    rmSync(join(folder, CONTROL_SOCKET_NAME), { force: true });
    // The dead supervisor's bus device leaves its socket files too.
    for (const name of BUS_SOCKET_NAMES) rmSync(join(folder, name), { force: true });
    removeNamedRunFile(folder);
  }
  // libzmq leaves an ipc socket's file behind when the socket closes.
  for (const path of specs.flatMap((b) => [ipcPath(b.sendSpec), ipcPath(b.recvSpec)])) {
    if (path !== undefined && path.startsWith(join(folder, '/'))) rmSync(path, { force: true });
  }
  try {
    rmdirSync(folder);
  } catch {
    // Already gone (the supervisor was first), or something else is in it: not ours to delete.
  }
}

/** The event bus device's ipc socket files in the private folder (in, out), under --zmq ipc. */
export const BUS_SOCKET_NAMES = ['bus.in', 'bus.out'] as const;

/** The control socket's name in the private folder (server/control-socket.ts listens there). */
export const CONTROL_SOCKET_NAME = 'control.sock';

/** The file in the private folder naming `<db>.run` and its token, so whoever stops last removes that too. */
export const RUN_FILE_POINTER = 'run-file.json';

// The dead supervisor's `<db>.run`, when it is still the one it wrote (same token).
function removeNamedRunFile(folder: string): void {
  const pointer = join(folder, RUN_FILE_POINTER);
  try {
    const { path, token } = JSON.parse(readFileSync(pointer, 'utf8')) as { path?: unknown; token?: unknown };
    if (typeof path === 'string' && typeof token === 'string') removeRunFile(path, token);
  } catch {
    // None written (the BBS never came up), or already gone.
  }
  rmSync(pointer, { force: true });
}

/** Removes `folder` and whatever is in it (the supervisor, once every child has exited). */
export function dropEndpointFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}

