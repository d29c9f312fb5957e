/**
 * One process run by `m2bbs start`: its own process group, its log lines passed on whole, and a
 * channel on which it says it is ready; it stops itself when that channel closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseChildMessage, type ChildMessage, type SupervisorMessage } from '../common/child-channel.js';
import { describeError } from '../common/errors.js';
import type { Logger, LogSink } from '../common/log.js';

const MAX_PARTIAL_LINE = 64 * 1024;
// glibc's malloc gives each thread that allocates an arena of its own (up to 8 per core), and
// memory freed in them after a burst (a dial-in: V8's helper threads, libuv's pool hashing
// passwords) stays in the process. Two arenas: a proxy holding 4,000 idle WebSocket callers kept
// 5.5 and 6.7 KB a caller after a full GC instead of 7.4 to 9.2, each backend 97 to 148 MB instead
// of 133 to 164; the menu walk's throughput unchanged (BENCHMARKS.md). An operator's own
// MALLOC_ARENA_MAX is kept; other C libraries ignore it.
const MALLOC_ARENAS = '2';
const M2BBS_BIN = fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url));

/** What a supervised child reports to the supervisor. */
export interface ChildEvents {
  /** A message the child sent on the channel. */
  message(message: ChildMessage): void;
  /** The child has exited and its output is all passed on. */
  closed(code: number | null, signal: NodeJS.Signals | null): void;
}

/** A running child, as the supervisor holds it. */
export interface SupervisedChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code once the child has exited and its output is all passed on. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` unless the child has already exited. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `message` on the channel while the child has one. */
  tell(message: SupervisorMessage): void;
}

/** Runs `m2bbs ARGS...` as a child named `name`, its stderr lines to `log`, with `env` (default: this process's). */
export function runChild(name: string, args: readonly string[], sinks: { readonly log: LogSink; readonly supervisor: Logger }, events: ChildEvents, env: NodeJS.ProcessEnv = process.env): SupervisedChild {
  // Own process group, so a terminal's Ctrl-C reaches only the supervisor, which stops children
  // in order; the IPC channel is what ties the child's life to the supervisor's.
  const childEnv = env.MALLOC_ARENA_MAX === undefined ? { ...env, MALLOC_ARENA_MAX: MALLOC_ARENAS } : env;
  const child = spawn(process.execPath, [M2BBS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true, env: childEnv });
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  let partial = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    // Whole lines only, so lines of two children never interleave mid-line.
    const end = chunk.lastIndexOf('\n');
    if (end < 0) {
      partial += chunk;
      // A line that never ends is passed on in pieces rather than held without limit.
      if (partial.length >= MAX_PARTIAL_LINE) {
        sinks.log.write(`${partial}\n`);
        partial = '';
      }
      return;
    }
    sinks.log.write(partial + chunk.slice(0, end + 1));
    partial = chunk.slice(end + 1);
  });
  child.on('message', (value: unknown) => {
    const message = parseChildMessage(value);
    if (message === undefined) sinks.supervisor.warn('unknown message from a child ignored', { child: name });
    else events.message(message);
  });
  child.on('error', (error) => sinks.supervisor.error('child process error', { child: name, error: describeError(error) }));
  sinks.supervisor.info('child started', { child: name, pid: child.pid });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => {
      if (partial !== '') sinks.log.write(`${partial}\n`);
      partial = '';
      events.closed(code, signal);
      resolve(code);
    }),
  );
  return {
    name,
    process: child,
    exited,
    signal(sig) {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    tell(message) {
      // A child exiting meanwhile is seen by 'close'; the failed send says nothing more.
      if (child.connected) child.send(message, () => undefined);
    },
  };
}
