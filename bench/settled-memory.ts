/**
 * A Node process's RSS and live JS heap after a full garbage collection, through its inspector:
 * SIGUSR1 opens the inspector on 127.0.0.1:9229, HeapProfiler.collectGarbage collects, the RSS and
 * `process.memoryUsage().heapUsed` are read, and the inspector is closed again. Read before the callers dial and once they sit idle, it counts what
 * the process keeps per caller, not the garbage a dial-in burst left for V8 to collect some time
 * later (a reading taken without it moved by up to 12 KB a caller between runs).
 */
import { connect } from 'node:net';
import WebSocket from 'ws';
import { mallocTrim } from './malloc-trim.js';
import { sampleProcess } from './proc-stats.js';

const INSPECTOR_PORT = 9229;
const OPEN_WAIT_MS = 5000;
const CLOSE_WAIT_MS = 5000;

interface InspectorReply {
  readonly id?: number;
  readonly result?: { readonly result?: { readonly value?: unknown } };
}

/** A process's memory after two full collections: its RSS, and the part of it V8's heap holds live. */
export interface SettledMemory {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

/**
 * The memory of `pid` after two full collections, and after glibc's malloc_trim(0) too when `trim`
 * (bench/malloc-trim.ts); undefined when its inspector cannot be used (port 9229 taken, not Node,
 * gone). A trim gdb could not make throws, saying why: a reading without it would pass for one.
 * Whatever happens once the inspector is ours, it is closed again.
 */
export async function settledMemory(pid: number, trim = false): Promise<SettledMemory | undefined> {
  // Another process listening there would be the one collected (and measured): not ours to use.
  if (await listening(INSPECTOR_PORT)) return undefined;
  try {
    process.kill(pid, 'SIGUSR1');
  } catch {
    return undefined;
  }
  const url = await debuggerUrl();
  if (url === undefined) return undefined;
  const ws = new WebSocket(url);
  let reading: SettledMemory | { readonly trimRefused: string } | undefined;
  try {
    await new Promise<void>((opened, failed) => {
      ws.once('open', () => opened());
      ws.once('error', failed);
    });
    const call = caller(ws);
    const who = await call('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
    // Someone else's inspector (it took the port between the check and the signal): not ours to close.
    if (who.result?.result?.value !== pid) return undefined;
    try {
      reading = await read(call, pid, trim);
    } finally {
      await closeInspector(ws, call);
    }
  } catch {
    return undefined;
  } finally {
    ws.terminate();
  }
  if (reading !== undefined && 'trimRefused' in reading) throw new Error(`--malloc-trim: gdb could not call malloc_trim in process ${pid}: ${reading.trimRefused}`);
  return reading;
}

async function read(call: InspectorCall, pid: number, trim: boolean): Promise<SettledMemory | { readonly trimRefused: string } | undefined> {
  // Twice: objects with finalizers or weak references held by the first are freed by the second.
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  const trimRefused = trim ? await mallocTrim(pid) : undefined;
  if (trimRefused !== undefined) return { trimRefused };
  const rssBytes = sampleProcess(pid)?.rssBytes;
  const heap = await call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
  const heapUsedBytes = heap.result?.result?.value;
  return rssBytes === undefined || typeof heapUsedBytes !== 'number' ? undefined : { rssBytes, heapUsedBytes };
}

// Closed from inside, as the last thing said: nobody else may reach the process through it.
async function closeInspector(ws: WebSocket, call: InspectorCall): Promise<void> {
  if (ws.readyState !== WebSocket.OPEN) return;
  const closed = new Promise<void>((done) => {
    ws.once('close', () => done());
    setTimeout(done, CLOSE_WAIT_MS).unref();
  });
  void call('Runtime.evaluate', { expression: "(() => { const inspector = require('node:inspector'); setImmediate(() => inspector.close()); })()", includeCommandLineAPI: true });
  await closed;
}

type InspectorCall = (method: string, params?: Record<string, unknown>) => Promise<InspectorReply>;

function caller(ws: WebSocket): InspectorCall {
  let next = 0;
  const waiting = new Map<number, (reply: InspectorReply) => void>();
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data)) as InspectorReply;
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
    if (reply.id !== undefined) waiting.delete(reply.id);
  });
  return (method, params = {}) =>
    new Promise((answered) => {
      const id = ++next;
      waiting.set(id, answered);
      ws.send(JSON.stringify({ id, method, params }));
    });
}

async function debuggerUrl(): Promise<string | undefined> {
  const giveUp = Date.now() + OPEN_WAIT_MS;
  while (Date.now() < giveUp) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
      const url = targets[0]?.webSocketDebuggerUrl;
      if (url !== undefined) return url;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', () => answer(false));
  });
}
