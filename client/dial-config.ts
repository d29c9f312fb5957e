/** `m2bbs dial` arguments: where to call, which number, and how to show the call. */
import { parseTable, usageText, type FlagTable } from '../common/flag-table.js';

/** The flags of `m2bbs dial`. */
export const DIAL_FLAGS = {
  plain: {
    kind: 'boolean',
    help: 'line by line on stdin/stdout, without the full screen (for pipes, scripts and screen readers); used anyway when stdin or stdout is not a terminal',
  },
  'dial-timeout-ms': { kind: 'integer', arg: 'MS', min: 100, max: 600_000, default: 15_000, env: 'M2BBS_DIAL_TIMEOUT_MS', help: 'how long to wait for the BBS to answer' },
} as const satisfies FlagTable;

/** Help text for `m2bbs dial`. */
export const DIAL_USAGE = usageText(
  'm2bbs dial [HOST[:PORT]] [@ROUTE] [flags]',
  `Calls a BBS over Mongrel2's JSON-socket protocol (m2bbs's proxy, or a real Mongrel2) and shows
the call full-screen. HOST defaults to 127.0.0.1, PORT to 6767, ROUTE to @bbs (any free line);
@bbs.10 dials exactly that number.

Keys: Enter sends, Backspace edits, Up/Down recall earlier lines (never passwords),
PgUp/PgDn scroll, Ctrl-C or Ctrl-D hangs up. After the line drops, Enter redials and q quits.`,
  DIAL_FLAGS,
  `Colour is left out when NO_COLOR is set. Exit status: 0 after the BBS says goodbye or you hang
up, 1 when the BBS cannot be reached, is busy, or drops the line, 2 for bad arguments.`,
);

/** Where and how `m2bbs dial` calls. */
export interface DialConfig {
  readonly host: string;
  readonly port: number;
  /** The number dialled: `@bbs` for any free line, or one such as `@bbs.10`. */
  readonly route: string;
  readonly plain: boolean;
  readonly colour: boolean;
  readonly dialTimeoutMs: number;
}

/** What the terminal the client runs in is like (the entry reads it from the process). */
export interface TerminalInfo {
  readonly stdinIsTty: boolean;
  readonly stdoutIsTty: boolean;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6767;
const ROUTE = /^@[A-Za-z0-9_][A-Za-z0-9_./-]{0,63}$/;

/** Parses `m2bbs dial` arguments, reporting every problem at once. */
export function parseDialConfig(argv: readonly string[], env: NodeJS.ProcessEnv, terminal: TerminalInfo): DialConfig {
  const { values, positionals, problems } = parseTable('m2bbs dial', DIAL_USAGE, DIAL_FLAGS, argv, env, 2);
  let address: { host: string; port: number } = { host: DEFAULT_HOST, port: DEFAULT_PORT };
  let route = '@bbs';
  let seen = { address: false, route: false };
  for (const arg of positionals) {
    if (arg.startsWith('@')) {
      if (seen.route) problems.add(`expected one @ROUTE, got another: "${arg}"`);
      if (ROUTE.test(arg)) route = arg;
      else problems.add(`@ROUTE: expected @ and a number such as @bbs or @bbs.10, got "${arg}"`);
      seen = { ...seen, route: true };
    } else {
      if (seen.address) problems.add(`expected one HOST[:PORT], got another: "${arg}"`);
      const parsed = parseAddress(arg);
      if (typeof parsed === 'string') problems.add(parsed);
      else address = parsed;
      seen = { ...seen, address: true };
    }
  }
  problems.check('m2bbs dial');
  return Object.freeze({
    ...address,
    route,
    plain: values.plain || !terminal.stdinIsTty || !terminal.stdoutIsTty,
    colour: env.NO_COLOR === undefined || env.NO_COLOR === '',
    dialTimeoutMs: values['dial-timeout-ms'],
  });
}

/** Reads `host`, `host:port`, `[v6]` or `[v6]:port`; a string is the problem with it. */
export function parseAddress(arg: string): { host: string; port: number } | string {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/@]+))(?::(\d{1,5}))?$/.exec(arg);
  if (match === null) return `HOST[:PORT]: expected a host name or address and maybe a port, got "${arg}"`;
  const host = match[1] ?? match[2] ?? DEFAULT_HOST;
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (port < 1 || port > 65535) return `HOST[:PORT]: expected a port from 1 to 65535, got "${match[3]}"`;
  return { host, port };
}

/** `host:port` as a person would write it, with brackets around an IPv6 address. */
export function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
