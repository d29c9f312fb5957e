/**
 * A backend process's transport: PULL connected to the server's send spec, PUB connected to its
 * recv spec, as a Mongrel2 handler does, feeding requests to the engine and replies back.
 */
import { Pull, XPublisher } from 'zeromq';
import { curveClientOptions } from '../common/curve-socket-options.js';
import { BbsError, describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { BACKEND_NOTICE_UUID, encodeBackendNotice, encodeClose, encodeReply, parseRequest, type Mongrel2Request } from '../common/mongrel2-wire.js';
import { receiveFrames } from '../common/receive-frames.js';
import { SendQueue } from '../common/send-queue.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { watchDatabaseFile } from './db-watch.js';
import { guardIpcReconnects, ipcFolderProblem } from './ipc-folder-guard.js';
import type { HandlerConfig } from './config.js';
import { createEngine, DEFAULT_MAX_QUEUED_LINES, type Engine } from './engine.js';
import { BACKEND_TOPICS, createEventBus, type EventBus } from './event-bus.js';
import { Journal } from './journal.js';
import { keepJournalsTidy } from './journal-retention.js';
import { createPresence } from './presence.js';
import { watchHangUpOrders } from './hang-up-watch.js';
import { bbs } from './flows/bbs.js';
import { sweepIntervalMs } from './line-limits.js';
import { loadScreenSet } from './screens.js';
import { watchScreens } from './screen-watch.js';
import { syncAreas } from './area-sync.js';
import { createServices } from './services.js';
import { createMergingOutbox } from './reply-merge.js';

export interface Backend {
  readonly engine: Engine;
  /** The event bus: through the device given by --bus, else in-process. */
  readonly bus: EventBus;
  /** True while the server (the proxy, Mongrel2) is connected to this backend's replies: someone can still move its calls. */
  readonly heard: boolean;
  /** Calls `changed` each time the server connects or goes away. */
  onHeardChange(changed: () => void): void;
  /** Tells the proxy this backend is draining, with the calls it still holds (a real Mongrel2 never hears it). */
  announceDraining(callers: number): void;
  /** Ends every conversation, flushes what is queued and closes sockets and database (once, however often called). */
  close(): Promise<void>;
}

const CLEANUP_WAIT_MS = 3000;

/** Starts a backend; throws before connecting anything when screens or database are unusable. */
export async function startBackend(config: HandlerConfig, log: Logger): Promise<Backend> {
  // The bus's ipc sockets too: whoever could bind them would read every chat line and forge them.
  const untrusted =
    ipcFolderProblem('--send-spec', config.sendSpec) ??
    ipcFolderProblem('--recv-spec', config.recvSpec) ??
    (config.bus === undefined ? undefined : (ipcFolderProblem('--bus', config.bus.in) ?? ipcFolderProblem('--bus', config.bus.out)));
  if (untrusted !== undefined) throw new BbsError('BBS_ERR_ENDPOINT_FOLDER', `m2bbs handler: ${untrusted}`);
  const screens = await loadScreenSet(config.screens);
  const db = openDatabase(config.db, config.dbMaxBytes === undefined ? {} : { maxBytes: config.dbMaxBytes });
  const store = createStore(db);
  const bus = createEventBus({ spec: config.bus, curve: config.curve, log: log.child({ bus: true }), topics: BACKEND_TOPICS });
  // A board whose file is deleted is copied and reported within seconds, not at the next write.
  const dbWatch = watchDatabaseFile(store, log);

  // With keys, both sockets talk CURVE to the proxy, which lets in only the keys it was given.
  const curve = curveClientOptions(config.curve);
  const pull = new Pull(curve);
  const pub = new XPublisher(curve);
  pull.linger = 0;
  pub.linger = 2000;
  // Replies wait until the server's SUB has subscribed: PUB drops whatever it sends before that.
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  const sendErrors = (error: unknown): void => log.error('reply not sent', { error: describeError(error) });
  // Replies go out batched: every reply of one turn in one multipart message per server.
  const outgoing = new SendQueue(pub, ready, sendErrors, { multipart: true });
  // Identical replies of one turn (a chat line for everyone in the room) go as one reply to many ids.
  const outbox = createMergingOutbox((reply) => outgoing.push(reply.body === '' ? encodeClose(reply.uuid, reply.connIds) : encodeReply(reply.uuid, reply.connIds, reply.body), reply.uuid));

  // Changes to the screens folder apply without a restart; a broken change is logged and skipped.
  // The message areas follow the screens in force: those loaded now, and each reload.
  const renamesTold = new Set<string>();
  syncAreas(store, screens.areas, log, renamesTold);
  const watcher = watchScreens(config.screens, screens, log, { onLoaded: (set) => syncAreas(store, set.areas, log, renamesTold) });
  // Who's online: this backend's calls, kept fresh by its heartbeat.
  const presence = createPresence({ store: store.presence, bus, number: config.name, owner: `${config.name} pid ${process.pid}`, log, now: Date.now });
  const journal = config.journal ? new Journal({ store: store.journal, owner: `${config.name} pid ${process.pid}`, log, now: Date.now }) : undefined;
  const engine = createEngine({
    startFlow: (start) => bbs(config.limits, start),
    journal,
    flowName: 'bbs',
    services: createServices({ store, log, scryptCost: config.scryptCost, login: config.limits }),
    hangUps: store.hangUps,
    bus,
    presence,
    screens: () => watcher.current,
    outbox,
    log,
    lines: config.lines,
    // A caller may send a whole message at once (a paste, its `.` and one more line); more than
    // that at once is a flood, however quickly each line is answered.
    maxQueuedLines: Math.max(DEFAULT_MAX_QUEUED_LINES, config.limits.maxLines + 2),
  });
  // A caller who logs in again elsewhere has their line here hung up, whichever backend they reached.
  const hangUpWatch = watchHangUpOrders(store, engine, log, config.limits.loginLockMs);
  const retention = journal === undefined ? undefined : keepJournalsTidy(store.journal, config.lines, log, Date.now, config.journalKeepBytes);
  // One sweep for all callers, never a timer per caller: suspended sessions must stay small.
  const everyMs = sweepIntervalMs(config.lines);
  const sweeper = everyMs === 0 ? undefined : setInterval(() => sweepSafely(engine, log), everyMs).unref();

  // A server that went away and came back may be a Mongrel2 restarted, whose connection ids
  // start again: the next request from it says which server it is (see engine serverRestarted).
  let serverWentAway = false;
  pull.events.on('disconnect', () => (serverWentAway = true));
  guardIpcReconnects([{ socket: pull, source: '--send-spec', spec: config.sendSpec }, { socket: pub, source: '--recv-spec', spec: config.recvSpec }], log, () => {
    // Deaf and mute at once; then the usual stop, whose exit(0) is turned into a failure's code.
    pull.close();
    pub.close();
    process.once('exit', () => (process.exitCode = 1));
    process.kill(process.pid, 'SIGTERM');
  });
  // Whether the server is there: ZeroMQ keeps a subscription through a disconnect (it expects a
  // reconnect), so the connection is what says a drain has nobody left to move its calls.
  const server = { connected: false, changed: undefined as (() => void) | undefined };
  // Listened to before connecting: a connection made before the monitor starts is never told.
  pub.events.on('connect', () => {
    server.connected = true;
    server.changed?.();
  });
  pub.events.on('disconnect', () => {
    server.connected = false;
    server.changed?.();
  });
  pull.connect(config.sendSpec);
  pub.connect(config.recvSpec);
  // A subscription comes over a connection: proof the server is there, whatever the monitor saw.
  void watchSubscriptions(pub, () => {
    server.connected = true;
    subscribed();
  }, log);
  const receiving = receiveRequests(pull, engine, log, (request) => {
    if (!serverWentAway) return;
    serverWentAway = false;
    // The m2bbs proxy names its calls (SESSION) and never reuses a name: only Mongrel2's ids repeat.
    if (request.headers.SESSION === undefined) engine.serverRestarted(request.uuid);
  });
  log.info('handler ready', { name: config.name, journal: config.journal ? 'on' : 'off', sendSpec: config.sendSpec, recvSpec: config.recvSpec, curve: config.curve === undefined ? 'off' : 'on', bus: config.bus === undefined ? 'local' : `${config.bus.in},${config.bus.out}`, db: config.db, screens: config.screens, ...config.lines });

  let closing: Promise<void> | undefined;
  let drainingSaid = false;
  async function close(): Promise<void> {
    clearInterval(sweeper);
    presence.stop();
    hangUpWatch.stop();
    watcher.close();
    retention?.stop();
    // Journaled conversations stay open: their callers carry on with another backend.
    engine.endAll('shutdown', true);
    // Ended or left for another backend: no event is for them here any more.
    engine.stopEvents();
    engine.flushCommits();
    pull.close();
    await receiving;
    // Cleanups that write (a `finally` awaiting a call) finish before the database closes.
    await engine.cleanupsDone(CLEANUP_WAIT_MS);
    engine.flushCommits();
    outbox.flush();
    // After every reply, on the same socket: the proxy moves what this backend still held only
    // once it has routed those (a caller's goodbye must not be overtaken by the going).
    if (drainingSaid) outgoing.push(encodeBackendNotice({ type: 'drained' }), BACKEND_NOTICE_UUID);
    subscribed();
    await outgoing.drain();
    pub.close();
    await bus.close();
    dbWatch.stop();
    store.close();
  }
  return {
    engine,
    bus,
    get heard() {
      return server.connected;
    },
    onHeardChange(changed) {
      server.changed = changed;
    },
    announceDraining(callers) {
      if (closing !== undefined) return;
      drainingSaid = true;
      outgoing.push(encodeBackendNotice({ type: 'draining', callers }), BACKEND_NOTICE_UUID);
    },
    // A drain that ends and a stop at once may both close: the second waits for the first.
    close: () => (closing ??= close()),
  };
}

function sweepSafely(engine: Engine, log: Logger): void {
  try {
    engine.sweep();
  } catch (error) {
    log.error('idle sweep failed', { error: describeError(error) });
  }
}

async function watchSubscriptions(pub: XPublisher, subscribed: () => void, log: Logger): Promise<void> {
  try {
    for await (const [message] of pub) {
      if (message?.[0] === 1) {
        log.debug('server subscribed', { topic: message.subarray(1).toString() });
        subscribed();
      }
    }
  } catch (error) {
    if (!pub.closed) log.error('subscription watch failed', { error: describeError(error) });
  }
}

async function receiveRequests(pull: Pull, engine: Engine, log: Logger, before: (request: Mongrel2Request) => void): Promise<void> {
  try {
    await receiveFrames(pull, (frame) => {
      let request;
      try {
        request = parseRequest(frame);
      } catch (error) {
        log.warn('malformed request frame dropped', { error: describeError(error), bytes: frame.length });
        return;
      }
      // One request that trips a bug must cost that request only, never the loop every caller needs.
      try {
        before(request);
        engine.receive(request);
      } catch (error) {
        log.error('request not handled', { conn: request.connId, error: describeError(error), stack: error instanceof Error ? error.stack : undefined });
      }
    });
  } catch (error) {
    if (!pull.closed) log.error('request loop failed', { error: describeError(error) });
  }
}
