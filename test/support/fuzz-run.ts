/**
 * Drives a bounded fuzz of one TCP door: many connections, a few at a time, each writing the
 * bytes a seeded plan makes, then hanging up one way or another.
 */
import { connect } from 'node:net';
import { Random } from './fuzz-random.js';

/** What one fuzz connection does: writes (or waits for the server's first answer), then ends. */
export interface FuzzPlan {
  readonly steps: readonly (Buffer | 'await-reply')[];
  /** `end` half-closes, `destroy` drops the line (often mid-frame), `linger` waits for the server. */
  readonly ending: 'end' | 'destroy' | 'linger';
}

export interface FuzzOptions {
  readonly port: number;
  readonly seed: number;
  /** Names this fuzz's streams, so two doors under one seed get different input. */
  readonly door: string;
  readonly durationMs: number;
  readonly maxConnections: number;
  readonly concurrency: number;
  /** How long one connection may wait on the server before it is dropped. */
  readonly patienceMs?: number;
  readonly plan: (rng: Random, index: number) => FuzzPlan;
}

/** What a fuzz did, for its report and for the failure message. */
export interface FuzzStats {
  connections: number;
  bytesSent: number;
  closedByServer: number;
  /** Connections refused: the door's listener is gone. */
  refused: number;
}

/** Runs connections until the time or the count is used up; connection `i` always gets the same plan. */
export async function fuzzTcp(options: FuzzOptions): Promise<FuzzStats> {
  const stats: FuzzStats = { connections: 0, bytesSent: 0, closedByServer: 0, refused: 0 };
  const deadline = Date.now() + options.durationMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline && next < options.maxConnections && stats.refused === 0) {
      const index = next++;
      const plan = options.plan(Random.stream(options.seed, options.door, index), index);
      stats.connections++;
      await runPlan(options.port, plan, options.patienceMs ?? 250, stats);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return stats;
}

function runPlan(port: number, plan: FuzzPlan, patienceMs: number, stats: FuzzStats): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let serverClosed = false;
    let replied = false;
    let wake: (() => void) | undefined;
    // The bound on one connection, whatever it is waiting for.
    const giveUp = setTimeout(() => finish(), patienceMs * 8);
    const finish = (): void => {
      clearTimeout(giveUp);
      socket.destroy();
      wake?.();
      resolve();
    };
    socket.on('data', () => {
      replied = true;
      wake?.();
    });
    socket.on('end', () => {
      serverClosed = true;
      stats.closedByServer++;
      wake?.();
    });
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') stats.refused++;
    });
    // Each wait on the server is bounded: a server that stays silent is simply left.
    const until = (ready: () => boolean): Promise<void> =>
      new Promise((done) => {
        const bound = setTimeout(() => {
          wake = undefined;
          done();
        }, patienceMs);
        const check = (): void => {
          if (ready() || socket.destroyed) {
            clearTimeout(bound);
            wake = undefined;
            done();
          } else wake = check;
        };
        check();
      });
    const write = (bytes: Buffer): Promise<void> =>
      new Promise((done) => {
        if (socket.destroyed || serverClosed) return done();
        stats.bytesSent += bytes.length;
        socket.write(bytes, () => done());
      });
    socket.once('connect', () => {
      void (async () => {
        for (const step of plan.steps) {
          if (socket.destroyed) return;
          if (step === 'await-reply') await until(() => replied || serverClosed);
          else await write(step);
        }
        if (plan.ending === 'destroy') return finish();
        if (plan.ending === 'end' && !socket.destroyed) socket.end();
        await until(() => serverClosed);
        finish();
      })();
    });
  });
}

/** Rejects with `what` and the replay hint when `promise` has not settled within `ms`. */
export async function withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
