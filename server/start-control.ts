/**
 * What `m2bbs start` opens once the BBS is up for a sysop's commands: the control socket in its
 * private folder, `<db>.run` naming it, and SIGHUP (upgrade every backend) and SIGUSR2 (add a number).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { backendOps } from './control-ops.js';
import { CONTROL_SOCKET_NAME, RUN_FILE_POINTER } from './endpoint-folder.js';
import { startControlSocket, type ControlOps } from './control-socket.js';
import { newControlToken, runFilePath, writeRunFile } from './run-file.js';
import { terminalClosed } from './terminal-hang-up.js';
import type { Supervisor } from './supervisor.js';

/** Opens the control socket and the run file for `db`, with `more` ops beside the backends' own; resolves with what closes both. */
export async function openControl(db: string, supervisor: Supervisor, log: Logger, more: ControlOps = {}): Promise<() => Promise<void>> {
  const token = newControlToken();
  const control = await startControlSocket(join(supervisor.folder, CONTROL_SOCKET_NAME), token, { ...backendOps(supervisor.orchestrator), ...more }, log);
  let removeRunFile = (): void => undefined;
  try {
    removeRunFile = writeRunFile(db, { pid: process.pid, control: control.path, token });
    // A proxy left running after this process is SIGKILLed stops last and removes the run file too.
    writeFileSync(join(supervisor.folder, RUN_FILE_POINTER), JSON.stringify({ path: runFilePath(db), token }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // The BBS serves its callers all the same; only the sysop's commands cannot find it.
    log.error('cannot write the run file; m2bbs drain, upgrade and add will not find this BBS', { error: describeError(error) });
  }
  const quiet = (): void => undefined;
  const onHup = (): void => {
    // The terminal closing: start-main stops the BBS.
    if (terminalClosed()) return;
    log.info('SIGHUP: upgrading every backend');
    supervisor.orchestrator.upgrade([], quiet).catch((error: unknown) => log.error('upgrade failed', { why: (error as Error).message }));
  };
  const onUsr2 = (): void => {
    log.info('SIGUSR2: adding a number');
    supervisor.orchestrator.add(undefined, quiet).catch((error: unknown) => log.error('add failed', { why: (error as Error).message }));
  };
  process.on('SIGHUP', onHup);
  process.on('SIGUSR2', onUsr2);
  return async () => {
    process.off('SIGHUP', onHup);
    process.off('SIGUSR2', onUsr2);
    removeRunFile();
    rmSync(join(supervisor.folder, RUN_FILE_POINTER), { force: true });
    await control.close();
  };
}
