/**
 * The floor under every figure: a raw ZeroMQ round trip in Node between two processes on
 * loopback, over the same socket pair Mongrel2 and its handlers use (PUSH/PULL one way,
 * PUB/SUB back), with one message in flight and then with many.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { curveClientOptions } from '../common/curve-socket-options.js';
import { bindServerSockets, type ServerTransport } from '../common/server-sockets.js';
import { BbsError } from '../common/errors.js';
import { encodeRequest } from '../common/mongrel2-wire.js';
import { sampleProcess } from './proc-stats.js';
import { Samples, type Summary } from './samples.js';

const ECHO = fileURLToPath(new URL('./zmq-echo.ts', import.meta.url));

export interface ZmqBaseline {
  /** How the two sockets were bound: loopback tcp, ipc, or tcp with CURVE. */
  readonly transport: ServerTransport;
  /** One message in flight: the round trip. */
  readonly oneInFlight: Summary;
  /** `inFlight` messages kept in flight: messages per second, and their round trips. */
  readonly inFlight: number;
  readonly messagesPerSecond: number;
  readonly manyInFlight: Summary;
  /** CPU time of both ends (this process and the echo, I/O threads included) per round trip with many in flight, in µs; null without /proc. */
  readonly cpuMicrosPerRoundTrip: number | null;
}

/** Measures for about `seconds` in each mode, over `transport`. */
export async function measureZmq(seconds: number, inFlight: number, transport: ServerTransport = 'tcp'): Promise<ZmqBaseline> {
  const sockets = await bindServerSockets(transport);
  const { push, sub, sendSpec, recvSpec, clientCurve } = sockets;
  const curveEnv = clientCurve === undefined ? {} : { M2BBS_BENCH_CURVE: JSON.stringify(curveClientOptions(clientCurve)) };
  const echo = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ECHO, sendSpec, recvSpec], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...curveEnv } });
  const echoExited = new Promise<void>((resolve) => echo.on('exit', () => resolve()));
  const killOnExit = (): void => void echo.kill('SIGKILL');
  process.on('exit', killOnExit);
  try {
    // A request frame the size of a caller's line through the proxy.
    const frame = encodeRequest({
      uuid: 'bench-zmq-baseline',
      connId: '1',
      path: '@bbs',
      headers: { PATH: '@bbs', METHOD: 'JSON', PATTERN: '@bbs', URL_SCHEME: 'm2bbs', REMOTE_ADDR: '127.0.0.1', DOOR: 'json' },
      body: JSON.stringify({ type: 'msg', msg: 'bench line 1, typed at the board' }),
    });
    // One receive at a time per socket: a single loop counts echoes and wakes whoever waits.
    let echoes = 0;
    let wake: (() => void) | undefined;
    const receiving = (async () => {
      try {
        for await (const _ of sub) {
          echoes++;
          wake?.();
        }
      } catch (error) {
        if (!sub.closed) throw error;
      }
    })();
    const echoed = async (count: number, timeoutMs: number): Promise<boolean> => {
      const until = performance.now() + timeoutMs;
      while (echoes < count) {
        const left = until - performance.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return true;
    };
    // PUB drops what it sends before the subscription reaches it: probe until an echo comes back.
    const giveUp = performance.now() + 10_000;
    await push.send(frame);
    while (!(await echoed(1, 100))) {
      if (performance.now() > giveUp) throw new BbsError('BBS_ERR_UNREACHABLE', 'the ZeroMQ echo process never answered');
      await push.send(frame);
    }
    await sleep(300);
    let base = echoes;

    const one = new Samples();
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const sent = performance.now();
      await push.send(frame);
      await echoed(++base, 5000);
      one.add(performance.now() - sent);
    }

    const many = new Samples();
    const sentAt: number[] = [];
    let received = 0;
    const started = performance.now();
    const cpuFrom = { bench: process.cpuUsage(), echo: sampleProcess(echo.pid ?? -1) };
    const stop = started + seconds * 1000;
    const sendOne = async (): Promise<void> => {
      sentAt.push(performance.now());
      await push.send(frame);
    };
    for (let i = 0; i < inFlight; i++) await sendOne();
    while (received < sentAt.length) {
      if (!(await echoed(base + received + 1, 1000))) break;
      many.add(performance.now() - (sentAt[received] ?? 0));
      received++;
      if (performance.now() < stop) await sendOne();
    }
    const benchCpu = process.cpuUsage(cpuFrom.bench);
    const echoTo = sampleProcess(echo.pid ?? -1);
    const cpuSeconds = cpuFrom.echo === undefined || echoTo === undefined ? undefined : (benchCpu.user + benchCpu.system) / 1e6 + echoTo.cpuSeconds - cpuFrom.echo.cpuSeconds;
    const figures = {
      transport,
      oneInFlight: one.summary(),
      inFlight,
      messagesPerSecond: received / ((performance.now() - started) / 1000),
      manyInFlight: many.summary(),
      cpuMicrosPerRoundTrip: cpuSeconds === undefined || received === 0 ? null : Math.round((cpuSeconds * 1e6) / received),
    };
    sub.close();
    await receiving;
    return figures;
  } finally {
    process.off('exit', killOnExit);
    echo.kill('SIGTERM');
    await echoExited;
    await sockets.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
