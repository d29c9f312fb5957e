/**
 * The whole test for fuzzing one TCP door of a real proxy and backend: the fuzz with a scripted
 * caller alongside, then the harm check and a fresh login, every failure carrying the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzBbs, type FuzzBbs } from './fuzz-bbs.js';
import type { CallerLine } from './fuzz-caller.js';
import { fuzzAlongsideCaller } from './fuzz-door.js';
import { fuzzSeed, replayHint, type Random } from './fuzz-random.js';
import { fuzzTcp, type FuzzPlan } from './fuzz-run.js';

export interface TcpDoorFuzz {
  /** The test file, for the replay hint. */
  readonly file: string;
  /** What the describe block says is fuzzed. */
  readonly title: string;
  /** Names the fuzz's input streams (json, telnet, http, websocket). */
  readonly door: string;
  /** Which of the proxy's ports the fuzz and the scripted caller use. */
  readonly port: (bbs: FuzzBbs) => number;
  /** Opens the scripted caller's line through the proper door. */
  readonly openLine: (port: number) => Promise<CallerLine>;
  readonly plan: (rng: Random, index: number) => FuzzPlan;
}

/** Declares the describe block that fuzzes one door for about 3 seconds. */
export function describeTcpDoorFuzz(door: TcpDoorFuzz): void {
  const seed = fuzzSeed();
  const hint = replayHint(seed, door.file);
  describe(door.title, () => {
    let bbs: FuzzBbs | undefined;
    beforeAll(async () => {
      bbs = await startFuzzBbs();
    });
    afterAll(async () => {
      await bbs?.close();
    });

    it('leaves a scripted caller, a fresh login, the proxy and the backend unharmed', { timeout: 60_000 }, async () => {
      const port = door.port(bbs as FuzzBbs);
      const outcome = await fuzzAlongsideCaller({
        seed,
        openLine: () => door.openLine(port),
        fuzz: () => fuzzTcp({ port, seed, door: door.door, durationMs: 3000, maxConnections: 3000, concurrency: 8, plan: door.plan }),
      });
      const { stats } = outcome;
      expect((bbs as FuzzBbs).harm(), `${hint}: after ${JSON.stringify(stats)}`).toEqual([]);
      expect(outcome.scriptFailure, `${hint}: the scripted caller's call failed: ${outcome.scriptFailure}`).toBeUndefined();
      expect(stats.refused, `${hint}: the port refused connections`).toBe(0);
      expect(stats.connections, `${hint}: the fuzz made no connections`).toBeGreaterThan(0);
      expect(outcome.loginFailure, `${hint}: a fresh caller could not log in after the fuzz: ${outcome.loginFailure}`).toBeUndefined();
    });
  });
}
