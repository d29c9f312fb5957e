/** `m2bbs start`: the whole BBS in one command; prints where to connect; Ctrl-C stops it all. */
import { dirname, join } from 'node:path';
import { ignoreBrokenPipes } from '../common/broken-pipes.js';
import { createLogger } from '../common/log.js';
import { jsonLogOutput, textLogOutput } from './log-view.js';
import { parseStartConfig } from './start-config.js';
import { refuseSecondStart } from './run-file.js';
import { openControl } from './start-control.js';
import { sysopOps } from './sysop-ops.js';
import { startSupervisor } from './supervisor.js';
import { terminalClosed } from './terminal-hang-up.js';

/** Runs the start command until a signal stops it or the BBS cannot go on. */
export async function runStart(argv: readonly string[]): Promise<void> {
  // Under `npm start 2>&1 | tee log` the same Ctrl-C ends tee: the children must still be stopped.
  ignoreBrokenPipes();
  // The log lines go to stderr, so it is stderr that decides whether a person reads them.
  const config = parseStartConfig(argv, process.env, process.stderr.isTTY === true);
  refuseSecondStart(config.db);
  const output = config.logFormat === 'json' ? jsonLogOutput(process.stderr) : textLogOutput(process.stderr, join(dirname(config.db), 'm2bbs.log'), process.stderr.isTTY ? process.stderr.columns : undefined);
  const log = createLogger(config.logLevel, output.sink('start')).child({ supervisor: true });
  // M2BBS_CURVE_KEY names the proxy's key here; a local backend, on its private ipc socket, takes
  // no key (or the one start gives it), and must not read the proxy's as its own.
  const { M2BBS_CURVE_KEY: _proxyKey, M2BBS_CURVE_SERVER: _server, ...backendEnv } = process.env;
  const supervisor = startSupervisor(config, log, output, backendEnv);
  let stopping = false;
  let closeControl = async (): Promise<void> => undefined;
  // Before the BBS is up, and while it stops, there is nothing to upgrade or add: these signals
  // must not end start then (their default action), so a no-op stays installed throughout. A
  // SIGHUP from the terminal closing (not a sysop's kill -HUP) stops the BBS.
  const ignore = (): void => undefined;
  process.on('SIGHUP', () => {
    if (terminalClosed()) stop(0, 'm2bbs: the terminal closed; stopping the BBS.');
  });
  process.on('SIGUSR2', ignore);
  const exit = (code: number): void => {
    output.close();
    process.exit(code);
  };
  const stop = (exitCode: number, why?: string): void => {
    if (stopping) {
      supervisor.kill();
      exit(1);
    }
    stopping = true;
    if (why === undefined) console.log('\nStopping the BBS...');
    else console.error(why);
    void closeControl()
      .then(() => supervisor.stop())
      .then(() => exit(exitCode));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  void supervisor.failed.then((line) => {
    if (!stopping) stop(1, line);
  });
  const where = await supervisor.ready;
  if (stopping) return;
  // m2bbs sysop's ops that need the running BBS (a broadcast on its bus), beside drain, upgrade and add.
  const sysop = sysopOps(() => supervisor.busClient(), log);
  const closeOps = await openControl(config.db, supervisor, log, sysop.ops);
  const close = (): Promise<void> => closeOps().then(() => sysop.close());
  // Stopped while the socket was being opened: nothing may be left listening, nor the run file.
  if (stopping) return void close();
  closeControl = close;
  // The children's log lines saying so may still be in their pipes: let them come before the banner.
  await new Promise((resolve) => setImmediate(resolve));
  const logLine = output.file === undefined ? '' : `The full log is in ${output.file}.\n`;
  const remoteLines = config.remote.specs.map((b) => `  ${b.number} waits for its backend on ${b.sendSpec} and ${b.recvSpec} (CURVE)\n`).join('');
  console.log(`
m2bbs is up: the proxy and ${config.backends} backend${config.backends === 1 ? '' : 's'} on ${config.db}.
  telnet ${where.telnet}
  ${where.http}
${remoteLines}${logLine}Ctrl-C stops everything.
`);
}
