/** `ipc://` endpoints: the file path they name and the Unix socket path limit they must fit. */

// sun_path holds 108 bytes on Linux, one of them the closing NUL; libzmq refuses longer paths.
const MAX_IPC_PATH_BYTES = 107;

/** The file path of an `ipc://` endpoint, or undefined for any other transport. */
export function ipcPath(spec: string): string | undefined {
  return spec.startsWith('ipc://') ? spec.slice('ipc://'.length) : undefined;
}

/** A sentence saying why `spec` cannot be bound or connected as an ipc path, or undefined when it can. */
export function ipcPathProblem(source: string, spec: string): string | undefined {
  const path = ipcPath(spec);
  if (path === undefined) return undefined;
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_IPC_PATH_BYTES) {
    return `${source}: the ipc:// path "${path}" is ${bytes} bytes long; a Unix socket path holds at most ${MAX_IPC_PATH_BYTES} (use a shorter folder, e.g. set TMPDIR to a short one)`;
  }
  return undefined;
}
