import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMongrel2 } from './support/fake-mongrel2.js';
import { harmTo } from './support/fuzz-bbs.js';
import { mongrel2Line, oneSendAtATime } from './support/fuzz-caller.js';
import { fuzzAlongsideCaller } from './support/fuzz-door.js';
import { fuzzFrames, settler } from './support/fuzz-mongrel2-inputs.js';
import { fuzzSeed, Random, replayHint } from './support/fuzz-random.js';
import { HandlerProcess } from './support/handler-process.js';

const seed = fuzzSeed();
const hint = replayHint(seed, 'test/fuzz-mongrel2-frames.test.ts');
/** The scripted callers' connections: the fuzz never writes to these. */
const CALLER_IDS = ['900000001', '900000002'];

describe("fuzzing a backend's Mongrel2 request frames", () => {
  let m2: FakeMongrel2 | undefined;
  let handler: HandlerProcess | undefined;
  beforeAll(async () => {
    m2 = await FakeMongrel2.start();
    handler = HandlerProcess.start(['--name', 'bbs.10', '--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--bad-pass-delay-ms', '0', '--log-level', 'info']);
    await handler.ready();
  });
  afterAll(async () => {
    await handler?.stop();
    await m2?.close();
  });

  it('leaves a scripted caller, a fresh login and the backend process unharmed', { timeout: 60_000 }, async () => {
    const server = m2 as FakeMongrel2;
    const ids = [...CALLER_IDS];
    const send = oneSendAtATime((frame) => server.sendRaw(frame));
    const outcome = await fuzzAlongsideCaller({
      seed,
      openLine: async () => mongrel2Line(server, ids.shift() ?? 'no-id-left', send),
      fuzz: () =>
        fuzzFrames({
          seed,
          durationMs: 3000,
          maxFrames: 20_000,
          avoid: new Set(CALLER_IDS),
          send,
          random: (s, index) => Random.stream(s, 'mongrel2', index),
          settle: settler(server, send),
          settleEvery: 200,
        }),
    });
    const { stats } = outcome;
    expect(harmTo('the backend', handler as HandlerProcess), `${hint}: after ${JSON.stringify(stats)}`).toEqual([]);
    expect(outcome.scriptFailure, `${hint}: the scripted caller's call failed: ${outcome.scriptFailure}`).toBeUndefined();
    expect(stats.frames, `${hint}: the fuzz sent no frames`).toBeGreaterThan(0);
    expect(outcome.loginFailure, `${hint}: a fresh caller could not log in after the fuzz: ${outcome.loginFailure}`).toBeUndefined();
  });
});
