/**
 * The BBS a fuzz test attacks: `m2bbs proxy` and one `m2bbs handler` as real child processes on
 * ephemeral loopback ports, with a check that neither was harmed.
 */
import { HandlerProcess, type LogRecord } from './handler-process.js';

/** A running proxy and backend, both child processes whose logs are followed. */
export interface FuzzBbs {
  readonly proxy: HandlerProcess;
  readonly handler: HandlerProcess;
  readonly frontPort: number;
  readonly telnetPort: number;
  /** Every way the processes could have been harmed, as sentences; empty when they were not. */
  harm(): string[];
  close(): Promise<void>;
}

/** Starts the proxy, then the backend on the endpoints the proxy bound; resolves once calls go through. */
export async function startFuzzBbs(): Promise<FuzzBbs> {
  const proxy = HandlerProcess.supervised([
    'proxy',
    ...['--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--log-level', 'info'],
    ...['--backend', 'bbs.10=tcp://127.0.0.1:*,tcp://127.0.0.1:*', '--telnet-negotiation-ms', '300'],
    // A fuzzer opens hundreds of connections a minute from 127.0.0.1: not what this limit is for.
    ...['--connections-per-minute', '0'],
  ]);
  let handler: HandlerProcess | undefined;
  try {
    // Both say they are ready on the channel `m2bbs start` uses, never through their log.
    const ready = await proxy.waitForMessage('proxy-ready');
    const backend = ready.backends[0];
    if (backend === undefined) throw new Error(`the proxy bound no backend: ${JSON.stringify(ready)}`);
    handler = HandlerProcess.start(['--name', 'bbs.10', '--send-spec', backend.sendSpec, '--recv-spec', backend.recvSpec, '--bad-pass-delay-ms', '0', '--log-level', 'info']);
    await handler.ready();
    await proxy.waitForMessage('backend-connected');
    const both = handler;
    return {
      proxy,
      handler: both,
      frontPort: ready.front.port,
      telnetPort: ready.telnet.port,
      harm: () => [...harmTo('the proxy', proxy), ...harmTo('the backend', both)],
      async close() {
        await Promise.all([proxy.stop(), both.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([proxy.stop(), handler?.stop()]);
    throw error;
  }
}

/** What harm came to one process: an exit, an error record, or stderr that is not a log record. */
export function harmTo(name: string, child: HandlerProcess): string[] {
  const harm: string[] = [];
  const { exitCode, signalCode, pid } = child.child;
  if (exitCode !== null || signalCode !== null) harm.push(`${name} exited (code ${exitCode}, signal ${signalCode})`);
  else if (!isRunning(pid)) harm.push(`${name} (pid ${pid}) is not running`);
  for (const record of child.records) {
    if (isUnexpected(record)) harm.push(`${name} logged ${JSON.stringify(record).slice(0, 600)}`);
  }
  return harm;
}

// Any error record is unexpected under fuzz, whatever its wording; so is a line that is not a
// JSON record at all (an uncaught exception's stack, a Node warning).
function isUnexpected(record: LogRecord): boolean {
  if (typeof record['level'] !== 'string') return true;
  return record['level'] === 'error';
}

function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
