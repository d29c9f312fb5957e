/** `m2bbs proxy`: parses arguments, starts the proxy, stops it cleanly on SIGINT or SIGTERM. */
import { hasSupervisor, tellSupervisor, whenSupervisorSays, type SupervisorMessage } from '../common/child-channel.js';
import { BbsError, describeError, isBbsError } from '../common/errors.js';
import { ignoreBrokenPipes } from '../common/broken-pipes.js';
import { createLogger, type Logger } from '../common/log.js';
import { stopOnSignals } from '../common/stop-on-signals.js';
import { startZapHandler } from '../common/zap-handler.js';
import { parseProxyConfig } from './config.js';
import { claimEndpointFolder, removeEndpointFolder } from './endpoint-folder.js';
import { warnUnmatchedKeys } from './endpoint-keys.js';
import { startProxy, type Proxy } from './proxy.js';

/** Runs the proxy command until a signal stops it. */
export async function runProxy(argv: readonly string[]): Promise<void> {
  // A supervisor gone while this is still starting leaves its stderr a broken pipe: no crash on it.
  ignoreBrokenPipes();
  const config = parseProxyConfig(argv, process.env);
  const log = createLogger(config.logLevel).child({ proxy: true });
  const unusable = config.endpointDir === undefined ? undefined : claimEndpointFolder(config.endpointDir);
  if (unusable !== undefined) throw new BbsError('BBS_ERR_CONFIG', `m2bbs proxy: ${unusable}`);
  const folder = config.endpointDir;
  let proxy: Proxy;
  // Bound before any CURVE endpoint, so no peer is ever asked about without an answer. It reads
  // a copy of the keys the proxy keeps, which a number added at run time joins.
  const curveClients = config.curve === undefined ? undefined : new Map(config.curve.clients);
  const zap = curveClients === undefined ? undefined : await startZapHandler(curveClients, log);
  if (config.curve !== undefined) warnUnmatchedKeys(config.curve.clients, config.backends, log);
  try {
    proxy = await startProxy(config, log, curveClients === undefined ? {} : { curveClients });
  } catch (error) {
    await zap?.close();
    if (folder !== undefined && !hasSupervisor()) removeEndpointFolder(folder, config.backends);
    // Under `m2bbs start` the supervisor prints the one line and stops, rather than restarting.
    if (!hasSupervisor() || !isBbsError(error) || !error.expose) throw error;
    await tellSupervisor({ type: 'failed', message: error.message });
    process.exitCode = 1;
    return;
  }
  // Never while the BBS runs: a folder gone for a moment is a name another local user may take,
  // and backends still running would connect into theirs. Under a live supervisor the supervisor
  // removes it once everything stopped; the proxy does when run by hand, or orphaned (its
  // supervisor killed, so the channel closed) and so stopping last.
  stopOnSignals(log, async () => {
    await proxy.close();
    await zap?.close();
    // Every link's ipc files, those added while running too (the next generations of an upgrade).
    if (folder !== undefined && !hasSupervisor()) removeEndpointFolder(folder, [...config.backends, ...proxy.backends], true);
  });
  void tellSupervisor({ type: 'proxy-ready', front: proxy.front, telnet: proxy.telnet, backends: proxy.backends });
  // Every time a link gets its first process: at start, after a restart of either side, for added links.
  proxy.whenLinkUp((bound) => void tellSupervisor({ type: 'backend-connected', backend: bound.number, sendSpec: bound.sendSpec }));
  whenSupervisorSays((message) => void obey(proxy, message, log));
}

// The supervisor's link messages; each add-link is answered, the others are logged.
async function obey(proxy: Proxy, message: SupervisorMessage, log: Logger): Promise<void> {
  switch (message.type) {
    case 'add-link': {
      const { request, number, sendSpec, recvSpec } = message;
      try {
        const bound = await proxy.addLink({ number, sendSpec, recvSpec });
        await tellSupervisor({ type: 'link-added', request, backend: { number: bound.number, sendSpec: bound.sendSpec, recvSpec: bound.recvSpec } });
      } catch (error) {
        log.warn('link not added', { backend: number, sendSpec, error: describeError(error) });
        await tellSupervisor({ type: 'link-failed', request, message: isBbsError(error) ? error.message : `m2bbs proxy: backend ${number}: ${describeError(error)}` });
      }
      return;
    }
    case 'drain-link':
      if (!proxy.drainLink(message.sendSpec)) log.warn('drain-link: no such link', { sendSpec: message.sendSpec });
      return;
    case 'remove-link':
      if (!(await proxy.removeLink(message.sendSpec))) log.warn('remove-link: no such link', { sendSpec: message.sendSpec });
      return;
    default:
      return;
  }
}
