import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzBbs, type FuzzBbs } from './support/fuzz-bbs.js';
import { jsonSocketLine } from './support/fuzz-caller.js';
import { fuzzAlongsideCaller } from './support/fuzz-door.js';
import { jsonSocketPlan } from './support/fuzz-json-socket-inputs.js';
import { fuzzSeed, replayHint } from './support/fuzz-random.js';
import { fuzzTcp } from './support/fuzz-run.js';

const seed = fuzzSeed();
const hint = replayHint(seed, 'test/fuzz-json-socket.test.ts');

describe('fuzzing the JSON-socket door', () => {
  let bbs: FuzzBbs | undefined;
  beforeAll(async () => {
    bbs = await startFuzzBbs();
  });
  afterAll(async () => {
    await bbs?.close();
  });

  it('leaves a scripted caller, a fresh login, the proxy and the backend unharmed', { timeout: 60_000 }, async () => {
    const { frontPort } = bbs as FuzzBbs;
    const outcome = await fuzzAlongsideCaller({
      seed,
      openLine: () => jsonSocketLine(frontPort),
      fuzz: () => fuzzTcp({ port: frontPort, seed, door: 'json', durationMs: 3000, maxConnections: 3000, concurrency: 8, plan: jsonSocketPlan }),
    });
    const { stats } = outcome;
    expect((bbs as FuzzBbs).harm(), `${hint}: after ${JSON.stringify(stats)}`).toEqual([]);
    expect(outcome.scriptFailure, `${hint}: the scripted caller's call failed: ${outcome.scriptFailure}`).toBeUndefined();
    expect(stats.refused, `${hint}: the front port refused connections`).toBe(0);
    expect(stats.connections, `${hint}: the fuzz made no connections`).toBeGreaterThan(0);
    expect(outcome.loginFailure, `${hint}: a fresh caller could not log in after the fuzz: ${outcome.loginFailure}`).toBeUndefined();
  });
});
