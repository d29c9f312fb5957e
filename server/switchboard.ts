/**
 * Connects callers to backend numbers: gives each connection a fresh decimal id, turns what the
 * caller sends into Mongrel2 request frames, and routes reply frames back to the right door.
 */
import type { Logger } from '../common/log.js';
import { encodeDisconnect, encodeRequest, type Mongrel2Reply } from '../common/mongrel2-wire.js';
import type { BackendLink } from './backend-link.js';
import type { Call, CallerInfo, DialResult, Line, Switchboard } from './line.js';

/** The route that means "any free line". */
export const ANY_LINE = '@bbs';

interface Connection {
  readonly line: Line;
  readonly link: BackendLink;
}

export interface SwitchboardOptions {
  /** This proxy's identity on the wire (Mongrel2's send_ident). */
  readonly uuid: string;
  readonly links: readonly BackendLink[];
  readonly log: Logger;
  readonly random?: () => number;
}

export interface ProxySwitchboard extends Switchboard {
  /** Hands a reply frame from a backend to the callers it names. */
  route(reply: Mongrel2Reply, from: BackendLink): void;
  /** Callers connected through to a backend now. */
  readonly activeCalls: number;
}

/** Creates the switchboard over a set of backend links. */
export function createSwitchboard(options: SwitchboardOptions): ProxySwitchboard {
  const { uuid, log } = options;
  const random = options.random ?? Math.random;
  const byRoute = new Map(options.links.map((link) => [`@${link.spec.number}`, link]));
  const connections = new Map<string, Connection>();
  let lastId = 0;

  // "Any free line" is, for now, any number with a backend connected; a number asked for by
  // name is dialled only when its backend is there.
  function pick(route: string): BackendLink | undefined {
    if (route !== ANY_LINE) {
      const link = byRoute.get(route);
      return link?.up ? link : undefined;
    }
    const up = options.links.filter((link) => link.up);
    return up[Math.floor(random() * up.length)];
  }

  function dial(line: Line, info: CallerInfo): DialResult {
    if (!knows(info.route)) return { ok: false, reason: 'unknown-route', message: `There is no number ${info.route} here.` };
    const link = pick(info.route);
    if (link === undefined) return { ok: false, reason: 'no-line', message: 'No line is available; try again later.' };
    const id = String(++lastId);
    const connection: Connection = { line, link };
    connections.set(id, connection);
    const pattern = info.route === ANY_LINE ? ANY_LINE : `@${link.spec.number}`;
    const headers = { PATH: info.route, METHOD: 'JSON', PATTERN: pattern, URL_SCHEME: 'm2bbs', REMOTE_ADDR: info.remoteAddr, DOOR: info.door };
    log.info('call connected', { conn: id, backend: link.spec.number, door: info.door, remote: info.remoteAddr });
    const send = (body: Buffer | string): void => {
      if (connections.get(id) !== connection) return;
      link.send(encodeRequest({ uuid, connId: id, path: info.route, headers, body }));
    };
    const call: Call = {
      id,
      number: link.spec.number,
      send,
      sendLine: (text) => send(JSON.stringify({ type: 'msg', msg: text })),
      leave() {
        if (connections.get(id) !== connection) return;
        connections.delete(id);
        link.send(encodeDisconnect(uuid, id));
        log.info('caller left', { conn: id, backend: link.spec.number });
      },
    };
    return { ok: true, call };
  }

  function knows(route: string): boolean {
    return route === ANY_LINE || byRoute.has(route);
  }

  function route(reply: Mongrel2Reply, from: BackendLink): void {
    if (reply.extended) {
      log.debug('extended reply ignored', { backend: from.spec.number, ids: reply.connIds.length });
      return;
    }
    for (const id of reply.connIds) {
      const connection = connections.get(id);
      if (connection === undefined || connection.link !== from) {
        // As Mongrel2 does: a reply to a connection that is gone tells the backend it is gone.
        from.send(encodeDisconnect(uuid, id));
        continue;
      }
      if (reply.body.length === 0) {
        connections.delete(id);
        log.info('backend closed caller', { conn: id, backend: from.spec.number });
        connection.line.hangUp();
      } else {
        connection.line.deliver(reply.body);
      }
    }
  }

  return {
    dial,
    knows,
    route,
    get activeCalls() {
      return connections.size;
    },
  };
}
