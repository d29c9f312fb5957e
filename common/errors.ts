/**
 * The one registry of m2bbs error codes. Codes are never reused or renamed; `expose` says
 * whether the message may be shown to a caller or only goes to the log.
 */
export const ERROR_CODES = {
  BBS_ERR_TNETSTRING: { expose: false, summary: 'malformed tnetstring' },
  BBS_ERR_REQUEST_FRAME: { expose: false, summary: 'malformed Mongrel2 request frame' },
  BBS_ERR_REPLY_FRAME: { expose: false, summary: 'malformed Mongrel2 reply frame' },
  BBS_ERR_CONFIG: { expose: true, summary: 'invalid configuration' },
  BBS_ERR_SCREEN: { expose: true, summary: 'screen file missing or invalid' },
  BBS_ERR_DB_MIGRATION: { expose: false, summary: 'database migration failed' },
  BBS_ERR_NAME_TAKEN: { expose: true, summary: 'caller name already registered' },
  BBS_ERR_UNKNOWN_SERVICE: { expose: false, summary: 'flow called a service that does not exist' },
  BBS_ERR_CLIENT_MESSAGE: { expose: false, summary: 'malformed message from a client' },
  BBS_ERR_USAGE: { expose: true, summary: 'bad command-line usage' },
  BBS_ERR_TELNET_INPUT: { expose: false, summary: 'telnet caller sent bad input (broken negotiation, binary, invalid UTF-8, oversized line)' },
  BBS_ERR_UNREACHABLE: { expose: true, summary: 'a server m2bbs had to reach did not answer' },
  BBS_ERR_DB_WRITE: { expose: false, summary: 'the database did not store a write (read-only file, I/O error, locked too long)' },
  BBS_ERR_DB_FULL: { expose: false, summary: 'the database did not store a write: disk full or --db-max-size reached' },
  BBS_ERR_DB_GONE: { expose: false, summary: 'the database file was deleted or replaced under a running backend; writes are off' },
  BBS_ERR_DB_MISSING: { expose: true, summary: 'a database this folder held is missing; m2bbs will not start an empty one in its place' },
  BBS_ERR_PORT_IN_USE: { expose: true, summary: 'a port m2bbs was told to listen on is taken by another program' },
  BBS_ERR_DB_OPEN: { expose: true, summary: 'the database file or its folder cannot be made or opened (a path through a file, no permission)' },
  BBS_ERR_CONVERSATION_TAKEN: { expose: false, summary: 'another backend took this conversation over (a newer fencing epoch); this one must not write or reply for it' },
  BBS_ERR_DB_NOT_SQLITE: { expose: true, summary: 'the file at the database path is empty or not an SQLite database, where a board was' },
  BBS_ERR_ENDPOINT_BIND: { expose: true, summary: 'a backend ZeroMQ endpoint cannot be bound (its port taken, its ipc folder missing or not writable)' },
  BBS_ERR_CONNECTION_CAP: { expose: true, summary: 'a caller was turned away: too many connections from their address still logging in, or in all (--max-per-address, --max-connections)' },
  BBS_ERR_REQUEST_TIMEOUT: { expose: false, summary: 'a front-port connection did not send a whole request (HTTP headers, a JSON socket\'s first frame) within --header-timeout-ms' },
  BBS_ERR_FOREIGN_HOST: { expose: false, summary: 'a WebSocket handshake named a Host this BBS does not serve (DNS rebinding); see --host' },
  BBS_ERR_ENDPOINT_FOLDER: { expose: true, summary: 'a backend refused an ipc:// endpoint whose folder another user owns or may write to (it could have bound the socket)' },
  BBS_ERR_CURVE_REFUSED: { expose: false, summary: 'a peer on a CURVE backend endpoint was refused by the ZAP handler: a key not in --curve-clients, no CURVE, or a foreign ZAP domain' },
  BBS_ERR_KEY_EXISTS: { expose: true, summary: 'm2bbs keys was asked to write a key file that already exists; it never overwrites a key' },
  BBS_ERR_LOGIN_FAILED: { expose: false, summary: 'a wrong password (or one refused during a lock) for a name, counted by the login throttle' },
  BBS_ERR_LOGIN_LOCKED: { expose: false, summary: 'too many wrong passwords locked a name, an address, or a name from one address, until the lock lifts (--login-lock-after, --login-address-lock-after)' },
  BBS_ERR_LINE_HUNG_UP: { expose: false, summary: 'a line was ended by a hang-up order (the caller logged in on another line, or a sysop kicked them)' },
  BBS_ERR_RESPONSE_STALLED: { expose: false, summary: 'an HTTP client on the front port took no byte of its response within --header-timeout-ms (it stopped reading); the connection was reset' },
  BBS_ERR_TOO_MANY_PIPELINED: { expose: false, summary: 'an HTTP client on the front port sent more pipelined requests than the proxy holds for one connection before reading their responses; the connection was reset' },
  BBS_ERR_NOT_RUNNING: { expose: true, summary: 'a sysop command (drain, upgrade, add) found no m2bbs start running on its database (no run file, or its process gone)' },
  BBS_ERR_SYSOP_NOT_FOUND: { expose: true, summary: 'm2bbs sysop was asked about a caller, message or call the board does not have (exit code 3)' },
  BBS_ERR_CONTROL_FAILED: { expose: true, summary: 'a control request to a running m2bbs start (drain, upgrade, add) could not be done; the message says why' },
  BBS_ERR_ALREADY_RUNNING: { expose: true, summary: 'm2bbs start was refused: another m2bbs start already runs on the same database (its live <db>.run names it)' },
  BBS_ERR_CALLER_BANNED: { expose: false, summary: 'a call refused, or a line hung up, because the sysop banned the caller\'s name or address (m2bbs sysop ban)' },
  BBS_ERR_CALL_TOO_LONG: { expose: false, summary: 'a call ended because it journaled more past its latest checkpoint (a menu, a chat room) than one call may: a caller typing on at a prompt that reaches none' },
  BBS_ERR_HASH_PACED: { expose: false, summary: 'a call ended because its address asked the backend to check or hash more passwords than it paces (a burst, then one every 2 s) and would have waited over 2 minutes' },
  BBS_ERR_BUS_BIND: { expose: true, summary: 'the event bus device (m2bbs bus, or the one m2bbs start hosts) cannot bind its in or out endpoint: a port taken, an ipc folder missing or not writable' },
} as const satisfies Record<string, { expose: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code from the registry, a flag for showing it, and its cause. */
export class BbsError extends Error {
  readonly code: ErrorCode;
  readonly expose: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'BbsError';
    this.code = code;
    this.expose = ERROR_CODES[code].expose;
  }
}

/** True when `err` is a BbsError, and has `code` when one is given. */
export function isBbsError(err: unknown, code?: ErrorCode): err is BbsError {
  return err instanceof BbsError && (code === undefined || err.code === code);
}

/** A one-line description of any thrown value, for logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return isBbsError(err) ? `${err.code}: ${err.message}` : `${err.name}: ${err.message}`;
  return String(err);
}
