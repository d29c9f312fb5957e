/** The front proxy: binds every backend's endpoints, opens the doors, and stops cleanly. */
import { hostPort } from '../common/host-port.js';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { ConfigProblems } from '../common/config-problems.js';
import { readCurveClients, type ProxyCurve } from '../common/curve-flags.js';
import { BbsError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { BackendLink, type BackendSpec } from './backend-link.js';
import { addedLinkProblems, type Address, type ProxyConfig } from './config.js';
import { CAP_DEFAULTS } from './cap-flags.js';
import { createConnectionCaps, type ConnectionCaps } from './connection-caps.js';
import { HeaderDeadlines } from './doors/header-deadline.js';
import { createFrontDoor } from './doors/front-door.js';
import { createHttpDoor } from './doors/http-door.js';
import { createTelnetDoor } from './doors/telnet-door.js';
import { createOutputLimit, type OutputLimit } from './output-limit.js';
import { createRefusalLog } from './refusal-log.js';
import { createSwitchboard, type ProxySwitchboard } from './switchboard.js';
import type { Mongrel2Reply } from '../common/mongrel2-wire.js';

export interface Proxy {
  /** Where HTTP, WebSocket and JSON sockets are served (the real port when 0 was asked). */
  readonly front: Address;
  readonly telnet: Address;
  readonly switchboard: ProxySwitchboard;
  /** The per-caller output cap and its counters: the most bytes held for one caller, callers closed. */
  readonly output: Pick<OutputLimit, 'maxBytes' | 'highWaterBytes' | 'peakBytes' | 'overflowed'>;
  /** The caps on connections (per address while logging in, and in all), as counted now. */
  readonly caps: Pick<ConnectionCaps, 'open' | 'loggingIn'>;
  /** Each backend link's endpoints as bound (every generation), for backends to connect to. */
  readonly backends: readonly BackendSpec[];
  /** Calls `heard` with each link up now, then each time a link gets its first process (again). */
  whenLinkUp(heard: (bound: BackendSpec) => void): void;
  /** Binds a link for a new number or the next generation of one; resolves with its endpoints as bound. */
  addLink(spec: Pick<BackendSpec, 'number' | 'sendSpec' | 'recvSpec'>): Promise<BackendSpec>;
  /** No new calls to the link bound on `sendSpec`; its calls are handed off at a prompt. False when there is no such link. */
  drainLink(sendSpec: string): boolean;
  /** Moves the calls left on the link bound on `sendSpec` as on a death, then closes it. False when there is no such link. */
  removeLink(sendSpec: string): Promise<boolean>;
  /** Resolves once the backend numbers named (all when none are) have a backend process connected. */
  whenUp(...numbers: string[]): Promise<void>;
  /** Tells every caller `message`, closes the doors and the backend endpoints. */
  close(message?: string): Promise<void>;
}

/** What the proxy shares with its entry point, beyond its frozen config. */
export interface ProxyState {
  /** The CURVE keys the running ZAP handler lets in, per number: a number added at run time gets its keys put here. */
  readonly curveClients?: Map<string, ReadonlyMap<string, string>>;
}

/** Starts the proxy; fails with the address named when an endpoint or port cannot be bound. */
export async function startProxy(config: ProxyConfig, log: Logger, state: ProxyState = {}): Promise<Proxy> {
  const links: BackendLink[] = [];
  let switchboard: ProxySwitchboard | undefined;
  const upListeners: ((bound: BackendSpec) => void)[] = [];
  const events = {
    reply: (reply: Mongrel2Reply, link: BackendLink) => switchboard?.route(reply, link),
    down: (link: BackendLink) => switchboard?.down(link),
    up: (link: BackendLink) => {
      switchboard?.up(link);
      for (const heard of upListeners) heard(link.bound);
    },
  };
  try {
    for (const spec of config.backends) links.push(await BackendLink.open(spec, log, events, config.curve));
  } catch (error) {
    await Promise.all(links.map((link) => link.close()));
    throw error;
  }
  // One for every door, cap and the dialler: ten refusal lines a minute in all, however many kinds and addresses.
  const refusals = createRefusalLog(log);
  switchboard = createSwitchboard({ uuid: config.uuid, links, log, refusals, ...(config.moveTimeoutMs === undefined ? {} : { moveTimeoutMs: config.moveTimeoutMs }), ...(config.drainTimeoutMs === undefined ? {} : { handoffWaitMs: config.drainTimeoutMs }) });
  await awaitBackends(links, config.awaitBackendsMs ?? 0, log);
  const output = createOutputLimit(config.maxOutputBytes);
  const limits = config.caps ?? { ...CAP_DEFAULTS, hosts: [] };
  const caps = createConnectionCaps(limits, log, Date.now, refusals);
  const http = createHttpDoor({ switchboard, log, output, hosts: limits.hosts, caps, refusals });
  const frontDoor = createFrontDoor(http.server, { switchboard, log, output, refusals, ...(config.noCallTimeoutMs === undefined ? {} : { noCallTimeoutMs: config.noCallTimeoutMs }) }, { caps, deadlines: new HeaderDeadlines(limits.headerTimeoutMs, log, refusals) });
  const front = frontDoor.server;
  const telnetDoor = createTelnetDoor({ switchboard, log, negotiationTimeoutMs: config.telnetNegotiationMs, output, caps, refusals });
  const telnet = createServer((socket) => telnetDoor.handle(socket));
  const listening: Server[] = [];
  try {
    const frontAddress = await listen(front, config.listen, 'listen');
    listening.push(front);
    const telnetAddress = await listen(telnet, config.telnet, 'telnet');
    listening.push(telnet);
    log.info('proxy ready', {
      http: `http://${hostPort(frontAddress)}/`,
      telnet: `${telnetAddress.host} ${telnetAddress.port}`,
      backends: links.map((link) => link.bound),
    });
    const sb = switchboard;
    return {
      front: frontAddress,
      telnet: telnetAddress,
      switchboard: sb,
      output,
      caps,
      get backends() {
        return sb.links().map((link) => link.bound);
      },
      whenUp: async (...numbers) => {
        const all = sb.links();
        const wanted = numbers.length === 0 ? all : all.filter((link) => numbers.includes(link.spec.number));
        await Promise.all(wanted.map((link) => link.whenUp()));
      },
      whenLinkUp(heard) {
        for (const link of sb.links()) if (link.up) heard(link.bound);
        upListeners.push(heard);
      },
      async addLink(given) {
        if (sb.links().some((link) => link.bound.sendSpec === given.sendSpec || link.bound.recvSpec === given.recvSpec)) {
          throw new BbsError('BBS_ERR_CONFIG', `m2bbs proxy: backend ${given.number}: ${given.sendSpec} / ${given.recvSpec} is already a link here`);
        }
        // --lines and --batch-requests are one setting for every backend (config.ts gives each
        // --backend the same): a link added at run time gets them as those given at start did,
        // so add-link carries endpoints only.
        const spec: BackendSpec = { ...given, ...(config.backends[0]?.lines === undefined ? {} : { lines: config.backends[0].lines }), ...(config.backends[0]?.batch === true ? { batch: true } : {}) };
        const problems = new ConfigProblems();
        if (!/^bbs\.\d{1,6}$/.test(spec.number)) problems.add(`backend: expected a number such as bbs.12, got "${spec.number}"`);
        addedLinkProblems(spec, config, problems);
        problems.check('m2bbs proxy: add-link');
        allowAddedKeys(config.curve, state.curveClients, spec);
        const link = await BackendLink.open(spec, log, events, config.curve);
        sb.addLink(link);
        return link.bound;
      },
      drainLink(sendSpec) {
        const link = sb.linkBySendSpec(sendSpec);
        if (link === undefined) return false;
        sb.drainLink(link, 'supervisor');
        return true;
      },
      async removeLink(sendSpec) {
        const link = sb.linkBySendSpec(sendSpec);
        if (link === undefined) return false;
        sb.removeLink(link);
        await link.close();
        return true;
      },
      async close(message = 'The BBS is going down for now. Call again soon.') {
        http.closeAll(message);
        frontDoor.closeAll(message);
        telnetDoor.closeAll(message);
        await Promise.all(listening.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
        await Promise.all(sb.links().map((link) => link.close()));
      },
    };
  } catch (error) {
    for (const server of listening) server.close();
    await Promise.all(links.map((link) => link.close()));
    throw error;
  }
}

// A number added while the proxy runs has its backends' keys put in --curve-clients just before
// (by m2bbs start): read them into the live map the ZAP handler looks each peer up in (the
// config's own map stays as it was read at start).
function allowAddedKeys(curve: ProxyCurve | undefined, live: ProxyState['curveClients'], spec: BackendSpec): void {
  if (curve?.clientsDir === undefined || ![spec.sendSpec, spec.recvSpec].some((endpoint) => endpoint.startsWith('tcp://'))) return;
  const keys = readCurveClients(curve.clientsDir, new ConfigProblems()).get(spec.number);
  if (keys !== undefined) live?.set(spec.number, keys);
  if (!(live ?? curve.clients).has(spec.number)) throw new BbsError('BBS_ERR_CONFIG', `m2bbs proxy: backend ${spec.number}: no CURVE key for it in --curve-clients ${curve.clientsDir}, so no backend could attach`);
}

// A restarted proxy's backends are already running and reconnect within moments: opening the
// doors first would tell the first callers that no line answers.
async function awaitBackends(links: readonly BackendLink[], ms: number, log: Logger): Promise<void> {
  if (ms === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  const late = await Promise.race([Promise.all(links.map((link) => link.whenUp())).then(() => false), gaveUp]);
  clearTimeout(timer);
  if (late) log.warn('doors opened before every backend connected', { waitedMs: ms, down: links.filter((link) => !link.up).map((link) => link.spec.number) });
}

function listen(server: Server, address: Address, flag: string): Promise<Address> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = hostPort(address);
      if (error.code !== 'EADDRINUSE') reject(new Error(`--${flag} ${where}: ${error.message}`, { cause: error }));
      // The one thing a user can do about it is pick another port, so that is all the line says.
      else reject(new BbsError('BBS_ERR_PORT_IN_USE', `m2bbs: ${where} is already in use; choose another with --${flag} HOST:PORT or M2BBS_${flag.toUpperCase()}`, { cause: error }));
    });
    server.listen(address.port, address.host, () => {
      const bound = server.address() as AddressInfo;
      resolve({ host: bound.address, port: bound.port });
    });
  });
}
