/**
 * Starts the whole BBS with `m2bbs start` in a temporary folder, as an operator would, learns its
 * ports from the banner and its processes from the supervisor's log, and stops it with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BbsError } from '../common/errors.js';
import type { Watched } from './proc-stats.js';

const M2BBS_BIN = fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url));

export interface BbsUnderTest {
  readonly httpPort: number;
  readonly telnetPort: number;
  /** The `m2bbs start` process itself (the supervisor, which also hosts the event bus). */
  readonly pid: number;
  /** Where it keeps its database and log. */
  readonly dir: string;
  readonly db: string;
  /** The proxy and backends now (a restarted backend has a new pid). */
  processes(): Watched[];
  /** Log lines at warn or error level, for the report, with their error's first words. */
  problems(): string[];
  /** Every log record whose message is `msg`, in order (a record's fields are the log's). */
  logged(msg: string): Record<string, unknown>[];
  /** Sends `m2bbs start` a signal (SIGHUP asks it for a rolling upgrade). */
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export interface BbsOptions {
  readonly backends: number;
  readonly maxCallers: number;
  /** Prepares the database file before the BBS opens it. */
  readonly prepare: (db: string) => Promise<void>;
  /** Profile every process of the BBS into this folder. */
  readonly profileDir?: string;
  /** The proxy's cap on output held for one caller (m2bbs start --max-output-bytes). */
  readonly maxOutputBytes?: number;
  /** More `m2bbs start` flags (--journal, --restart-delay-ms ...). */
  readonly startFlags?: readonly string[];
}

/** Starts the BBS; resolves once it says it is up. */
export async function startBbs(options: BbsOptions): Promise<BbsUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bench-'));
  const db = join(dir, 'bbs.db');
  const logFile = join(dir, 'bbs.log');
  await options.prepare(db);
  // The log goes to a file, so the load generator spends nothing reading it while it measures.
  const logFd = openSync(logFile, 'w');
  const args = ['start', '--backends', String(options.backends), '--max-callers', String(options.maxCallers)];
  if (options.maxOutputBytes !== undefined) args.push('--max-output-bytes', String(options.maxOutputBytes));
  // Every bench caller comes from 127.0.0.1, thousands logging in at once, and the idle runs hold
  // 10,000 at once: the proxy's caps are raised past them (they still count every connection).
  args.push('--max-per-address', '100000', '--max-connections', '100000', '--connections-per-minute', '0');
  args.push(...(options.startFlags ?? []));
  const env = options.profileDir === undefined ? process.env : profiledEnv(options.profileDir);
  const child = spawn(process.execPath, [M2BBS_BIN, ...args, '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', db, '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', logFd],
    env,
  });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The log's whole lines, read as it grows: the bench polls it every few milliseconds while
  // hundreds of callers make it longer, so each look reads only what was written since the last.
  const lines: string[] = [];
  const decoder = new StringDecoder('utf8');
  const chunk = Buffer.alloc(64 * 1024);
  let offset = 0;
  let partial = '';
  const logLines = (): readonly string[] => {
    const fd = openSync(logFile, 'r');
    try {
      for (let n = readSync(fd, chunk, 0, chunk.length, offset); n > 0; n = readSync(fd, chunk, 0, chunk.length, offset)) {
        offset += n;
        const text = partial + decoder.write(chunk.subarray(0, n));
        const split = text.split('\n');
        partial = split.pop() ?? '';
        lines.push(...split);
      }
    } finally {
      closeSync(fd);
    }
    return lines;
  };
  let stdout = '';
  // Until it is up, a bench that exits (Ctrl-C, a test cleaning up) asks it to stop what it started.
  const stopEarly = (): void => void child.kill('SIGTERM');
  process.on('exit', stopEarly);
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BbsError('BBS_ERR_UNREACHABLE', `m2bbs start did not come up within 60 s; see ${logFile}`)), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!stdout.includes('Ctrl-C stops everything.')) return;
      clearTimeout(timer);
      resolve(stdout);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new BbsError('BBS_ERR_UNREACHABLE', `m2bbs start exited (${code}) before it was up:\n${logLines().slice(-10).join('\n')}`));
    });
  }).catch(async (error: unknown) => {
    // It never came up (a backend that cannot start keeps it waiting): stop it and what it
    // started, or the bench would wait on its pipe forever.
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    throw error;
  }).finally(() => process.off('exit', stopEarly));
  const http = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner);
  const telnet = /telnet 127\.0\.0\.1 (\d+)/.exec(banner);
  if (http === null || telnet === null) throw new BbsError('BBS_ERR_UNREACHABLE', `m2bbs start printed no addresses:\n${banner}`);

  const parsed = (keep: (line: string) => boolean): Record<string, unknown>[] =>
    logLines().flatMap((line) => {
      if (!keep(line)) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const records = (): Record<string, unknown>[] => parsed((line) => line.includes('"child started"') || line.includes('"level":"warn"') || line.includes('"level":"error"'));
  // If the bench exits without stopping it (the watchdog, a crash), nothing it started stays behind.
  const killOnExit = (): void => {
    for (const { pid } of processes()) tryKill(pid);
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const processes = (): Watched[] => {
    const latest = new Map<string, number>();
    for (const r of records()) if (r.msg === 'child started' && typeof r.child === 'string' && typeof r.pid === 'number') latest.set(r.child, r.pid);
    return [...latest].map(([name, pid]) => ({ name, pid }));
  };
  return {
    httpPort: Number(http[1]),
    telnetPort: Number(telnet[1]),
    pid: child.pid ?? 0,
    dir,
    db,
    processes,
    // With the error's own words, cut short: "write not stored" alone does not say why.
    problems: () => records().filter((r) => r.level === 'warn' || r.level === 'error').map((r) => `${String(r.level)}: ${String(r.msg)}${typeof r.error === 'string' ? ` (${r.error.slice(0, 100)})` : ''}`),
    logged: (msg) => parsed((line) => line.includes(JSON.stringify(msg))).filter((r) => r.msg === msg),
    signal: (signal) => void child.kill(signal),
    async stop() {
      process.off('exit', killOnExit);
      const known = processes();
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        // It did not stop cleanly: end what it started, by pid.
        for (const { pid } of known) tryKill(pid);
        child.kill('SIGKILL');
      }, 20_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The environment of a process to profile into `dir`: NODE_OPTIONS may not carry --cpu-prof, so each process loads a profiler of its own. */
export function profiledEnv(dir: string): NodeJS.ProcessEnv {
  const profiler = fileURLToPath(new URL('./cpu-profiler.ts', import.meta.url));
  return { ...process.env, M2BBS_PROFILE_DIR: dir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${import.meta.resolve('tsx')} --import ${profiler}`.trim() };
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
