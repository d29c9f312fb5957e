/**
 * The HTTP side of the front port: the green-screen page and its assets, and the WebSocket
 * endpoint `/ws?route=@bbs` that carries the page's conversation. Every request, the page's
 * files and `/directory` as much as the WebSocket, must name a host the BBS serves.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../common/log.js';
import type { ConnectionCaps } from '../connection-caps.js';
import type { Switchboard } from '../line.js';
import type { OutputLimit } from '../output-limit.js';
import { createRefusalLog, type RefusalLog } from '../refusal-log.js';
import { hostName, servesHost } from './served-hosts.js';
import { sendBody } from './send-body.js';
import { loadStaticFiles } from './static-files.js';
import { notice, serveWebSocket } from './websocket-door.js';
import { answerHandshake } from './websocket-handshake.js';
import { PageSocket } from './page-socket.js';
import { CLOSE_GOING_AWAY } from './websocket-frames.js';
import type { ErrorCode } from '../../common/errors.js';
import { clampColumns } from '../../common/terminal-columns.js';

const FOREIGN_HOST: ErrorCode = 'BBS_ERR_FOREIGN_HOST';

export interface HttpDoorOptions {
  readonly switchboard: Switchboard;
  readonly log: Logger;
  readonly maxMessageBytes?: number;
  /** The cap on bytes waiting for one page caller, shared by every door of a proxy. */
  readonly output?: OutputLimit;
  /** Host names (besides IP literals and localhost) a request may name in `Host`. */
  readonly hosts?: readonly string[];
  /** The proxy's caps: a page caller who logs in stops counting against their address. */
  readonly caps?: ConnectionCaps;
  /** The proxy's one refusal log (a request naming a foreign Host is logged there). */
  readonly refusals?: RefusalLog;
}

export interface HttpDoor {
  readonly server: Server;
  /** Tells every page caller `message` and closes them (shutdown). */
  closeAll(message: string): void;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Creates the HTTP server (not listening: the front door hands it connections). */
export function createHttpDoor(options: HttpDoorOptions): HttpDoor {
  const files = loadStaticFiles();
  const log = options.log.child({ door: 'http' });
  const maxPayload = options.maxMessageBytes ?? 64 * 1024;
  const pages = new Set<PageSocket>();
  const hosts = new Set((options.hosts ?? []).map(hostName));
  // A rebinding page can send requests in a loop: one line per address a minute, with a count.
  const refusals = options.refusals ?? createRefusalLog(log);
  const pageOptions = { switchboard: options.switchboard, log: options.log, ...(options.output === undefined ? {} : { output: options.output }), ...(options.caps === undefined ? {} : { caps: options.caps }), refusals };

  // A page on a name that resolves to this BBS (DNS rebinding) is its own origin: Origin alone
  // would let it in (and the browser sends none on a plain GET); the Host it names would not.
  function foreignHost(req: IncomingMessage): boolean {
    if (servesHost(req.headers.host, hosts)) return false;
    const host = (req.headers.host ?? '').slice(0, 100);
    refusals.refused('warn', 'http request refused: Host is not a name this BBS serves', req.socket.remoteAddress, { code: FOREIGN_HOST, door: 'http', host, flag: '--host' });
    return true;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Reset by the front door (too many pipelined): Node parses the rest of the chunk it read regardless.
    if (req.socket.destroyed) return;
    if (foreignHost(req)) return plain(res, 421, NOT_OUR_HOST);
    const url = requestUrl(req);
    if (url === undefined) return plain(res, 400, 'Bad Request');
    const path = url.pathname;
    const file = files.get(path === '/index.html' ? '/' : path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD' });
    if (path === '/directory') {
      const body = JSON.stringify({ numbers: options.switchboard.directory(), at: new Date().toISOString() });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    // Browsers ask for an icon on their own; "none" is an answer, a 404 would be an error in their console.
    if (file === undefined && path === '/favicon.ico') return void res.writeHead(204, SECURITY_HEADERS).end();
    if (file === undefined) return plain(res, 404, 'Not Found');
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length, ...SECURITY_HEADERS });
    if (req.method === 'HEAD') return void res.end();
    sendBody(res, file.body);
  });
  // The front door's deadline (header-deadline.ts) ends an idle kept-alive connection, with a reset
  // when it has sent anything; Node's own keep-alive timeout (5 s) would close it first, and its
  // FIN would wait in the kernel forever behind answers a client stopped reading.
  server.keepAliveTimeout = 0;
  server.on('clientError', (error, socket) => {
    log.debug('bad http request', { error: error.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 11\r\n\r\nBad Request');
    else socket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: string, text = '', headers: Readonly<Record<string, string>> = {}): void => {
      const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n${extra}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    };
    if (foreignHost(req)) return refuse('421 Misdirected Request', NOT_OUR_HOST);
    const url = requestUrl(req);
    if (url === undefined) return refuse('400 Bad Request');
    const route = url.searchParams.get('route') ?? '@bbs';
    if (url.pathname !== '/ws') return refuse('404 Not Found');
    if (!sameOrigin(req)) return refuse('403 Forbidden');
    if (!options.switchboard.knows(route)) return refuse('404 Not Found');
    const handshake = answerHandshake(req);
    if ('refusal' in handshake) return refuse(handshake.refusal.status, handshake.refusal.text, handshake.refusal.headers);
    // The page gave up (sent its FIN) while the request was read: nobody to answer.
    if (!socket.readable || !socket.writable) return void socket.destroy();
    socket.write(handshake.accept);
    const page = new PageSocket(socket as Socket, maxPayload, head, pages);
    serveWebSocket(page, req.socket.remoteAddress ?? 'unknown', route, pageOptions, req.socket, clampColumns(url.searchParams.get('cols') ?? undefined));
  });

  return {
    server,
    closeAll(message) {
      for (const page of pages) {
        page.send(notice(message));
        page.close(CLOSE_GOING_AWAY, 'going away');
      }
    },
  };
}

const NOT_OUR_HOST = 'This BBS does not answer to that host name.\n';

// A page from another site must not be able to open a line to this BBS in its visitor's name.
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    // Both read as URLs read them: a host name's case does not matter, nor does a default port.
    return new URL(origin).host === new URL(`http://${req.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The request's URL, or undefined when it is not one (`//`, `http://`, junk): a 400, never a throw. */
function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  try {
    // A path is read as a path: `//x` is not a host named x.
    return target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target, 'http://localhost');
  } catch {
    return undefined;
  }
}
