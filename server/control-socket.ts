/**
 * The control socket of `m2bbs start` (`control.sock` in its private 0700 folder): a sysop's
 * command sends one JSON line `{"op":...,"token":...}` and reads JSON lines back, progress then a
 * final `{"ok":true,...}` or `{"ok":false,"error":"..."}`. Ops come from a table, so later commands
 * (issue 18's `m2bbs sysop`) add theirs without touching this file.
 */
import { timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { describeError, isBbsError } from '../common/errors.js';
import type { Logger } from '../common/log.js';

/** One request as read from the socket, token checked and removed. */
export type ControlRequest = Readonly<Record<string, unknown>> & { readonly op: string };

/** What an op sends back: progress lines while it works, then its result (thrown = failed, with that message). */
export type ControlOp = (request: ControlRequest, progress: (line: Readonly<Record<string, unknown>>) => void) => Promise<Readonly<Record<string, unknown>>>;

/** The ops a control socket answers, by name. */
export type ControlOps = Readonly<Record<string, ControlOp>>;

/** Limits of one connection: the request's size, and how long it may take to arrive whole. */
export interface ControlLimits {
  readonly maxRequestBytes: number;
  readonly requestDeadlineMs: number;
  /** Connections open at once; more are closed at once (a local loop must not take every file descriptor). */
  readonly maxConnections: number;
  /** While an op works, a `{"alive":true}` line this often: the command then tells a stopped BBS from a busy one. */
  readonly keepAliveMs: number;
}

const DEFAULT_LIMITS: ControlLimits = { maxRequestBytes: 64 * 1024, requestDeadlineMs: 5000, maxConnections: 16, keepAliveMs: 5000 };

/** A listening control socket. */
export interface ControlSocket {
  readonly path: string;
  /** Stops listening, ends every open connection and removes the socket file. */
  close(): Promise<void>;
}

/** Listens on Unix socket `path` for requests carrying `token`, answered by `ops`, each one logged to `log`. */
export function startControlSocket(path: string, token: string, ops: ControlOps, log: Logger, limits: ControlLimits = DEFAULT_LIMITS): Promise<ControlSocket> {
  const open = new Set<Socket>();
  const expected = Buffer.from(token, 'utf8');
  const server: Server = createServer((socket) => {
    if (open.size >= limits.maxConnections) return refuseBusy(socket);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    serve(socket);
  });

  // Over the cap: one answer the command prints, not a reset that reads as a BBS gone. What the
  // caller sends meanwhile is read and dropped (unread bytes at close would reset it all the same),
  // and the connection ends soon whatever the other side does.
  function refuseBusy(socket: Socket): void {
    log.warn('control request refused', { why: 'too many connections', open: open.size });
    socket.on('error', () => socket.destroy());
    socket.resume();
    socket.end(`${JSON.stringify({ ok: false, error: `too many control connections (${limits.maxConnections} open); try again` })}\n`);
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  function serve(socket: Socket): void {
    let buffered = '';
    let done = false;
    // A local process that connects and says nothing (or too slowly) holds nothing for long.
    const deadline = setTimeout(() => finish({ ok: false, error: `no whole request within ${limits.requestDeadlineMs} ms` }), limits.requestDeadlineMs);
    const finish = (answer: Readonly<Record<string, unknown>>): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      socket.removeAllListeners('data');
      socket.end(`${JSON.stringify(answer)}\n`);
    };
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) {
        if (Buffer.byteLength(buffered) > limits.maxRequestBytes) {
          log.warn('control request refused', { why: 'too long' });
          finish({ ok: false, error: `a request is one JSON line of at most ${limits.maxRequestBytes} bytes` });
        }
        return;
      }
      clearTimeout(deadline);
      socket.removeAllListeners('data');
      socket.pause();
      void answer(buffered.slice(0, end), socket, finish);
    });
  }

  async function answer(line: string, socket: Socket, finish: (answer: Readonly<Record<string, unknown>>) => void): Promise<void> {
    let request: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('not an object');
      request = value as Record<string, unknown>;
    } catch {
      log.warn('control request refused', { why: 'not JSON' });
      return finish({ ok: false, error: 'a request is one JSON object on one line, e.g. {"op":"upgrade","token":"..."}' });
    }
    const { token: given, ...rest } = request;
    const op = typeof rest.op === 'string' ? rest.op : undefined;
    const fields = { op, ...(typeof rest.number === 'string' ? { number: rest.number } : {}) };
    if (typeof given !== 'string' || !sameToken(given, expected)) {
      log.warn('control request refused', { ...fields, why: 'wrong token' });
      return finish({ ok: false, error: 'refused: the request does not carry this BBS\'s token (read it from the run file next to the database)' });
    }
    // Own ops only: `constructor`, `toString` or `__proto__` are names every object has, not ops.
    const run = op === undefined || !Object.hasOwn(ops, op) ? undefined : ops[op];
    if (op === undefined || run === undefined) {
      log.warn('control request refused', { ...fields, why: 'unknown op' });
      return finish({ ok: false, error: `unknown op ${JSON.stringify(rest.op ?? null)}; known: ${Object.keys(ops).join(', ')}` });
    }
    const progress = (line: Readonly<Record<string, unknown>>): void => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(line)}\n`);
    };
    const alive = setInterval(() => progress({ alive: true }), limits.keepAliveMs);
    try {
      const result = await run({ ...rest, op }, progress);
      log.info('control request', { ...fields, ok: true });
      finish({ ...result, ok: true });
    } catch (error) {
      // An op's failure is one sentence for the sysop; anything else is a bug, logged whole.
      const message = isBbsError(error) && error.expose ? error.message : `failed: ${describeError(error)}`;
      log.info('control request', { ...fields, ok: false, error: message });
      finish({ ok: false, error: message });
    } finally {
      clearInterval(alive);
    }
  }

  return new Promise((resolve, reject) => {
    // A socket file left by a start that was killed is ours (the folder is private): replace it.
    rmSync(path, { force: true });
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      server.on('error', (error) => log.error('control socket error', { error: describeError(error) }));
      resolve({
        path,
        close: () =>
          new Promise<void>((closed) => {
            for (const socket of open) socket.destroy();
            server.close(() => {
              rmSync(path, { force: true });
              closed();
            });
          }),
      });
    });
  });
}

function sameToken(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given, 'utf8');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}
