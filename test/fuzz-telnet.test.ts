import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzBbs, type FuzzBbs } from './support/fuzz-bbs.js';
import { telnetLine } from './support/fuzz-caller.js';
import { fuzzAlongsideCaller } from './support/fuzz-door.js';
import { telnetPlan } from './support/fuzz-telnet-inputs.js';
import { fuzzSeed, replayHint } from './support/fuzz-random.js';
import { fuzzTcp } from './support/fuzz-run.js';

const seed = fuzzSeed();
const hint = replayHint(seed, 'test/fuzz-telnet.test.ts');

describe('fuzzing the telnet door', () => {
  let bbs: FuzzBbs | undefined;
  beforeAll(async () => {
    bbs = await startFuzzBbs();
  });
  afterAll(async () => {
    await bbs?.close();
  });

  it('leaves a scripted caller, a fresh login, the proxy and the backend unharmed', { timeout: 60_000 }, async () => {
    const { telnetPort } = bbs as FuzzBbs;
    const outcome = await fuzzAlongsideCaller({
      seed,
      openLine: () => telnetLine(telnetPort),
      fuzz: () => fuzzTcp({ port: telnetPort, seed, door: 'telnet', durationMs: 3000, maxConnections: 3000, concurrency: 8, plan: telnetPlan }),
    });
    const { stats } = outcome;
    expect((bbs as FuzzBbs).harm(), `${hint}: after ${JSON.stringify(stats)}`).toEqual([]);
    expect(outcome.scriptFailure, `${hint}: the scripted caller's call failed: ${outcome.scriptFailure}`).toBeUndefined();
    expect(stats.refused, `${hint}: the telnet port refused connections`).toBe(0);
    expect(stats.connections, `${hint}: the fuzz made no connections`).toBeGreaterThan(0);
    expect(outcome.loginFailure, `${hint}: a fresh caller could not log in after the fuzz: ${outcome.loginFailure}`).toBeUndefined();
  });
});
