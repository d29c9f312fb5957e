/** Fuzz input for the JSON-socket door: `@route {json}\0` frames, valid, mutated and plain junk. */
import { chunks, mutate, randomJson, randomObject } from './fuzz-mutate.js';
import type { Random } from './fuzz-random.js';
import type { FuzzPlan } from './fuzz-run.js';

const ROUTES = ['@bbs', '@bbs', '@bbs.10', '@bbs.99', '@BBS', '@', '@bbs/', '@bbs.10.10', `@${'x'.repeat(80)}`, '@bbs\t', '@bbs.'];
const LINES = ['connect', 'fuzzer', 'fuzz-pass', 'y', '', '1', '2', '3', '4', 'q', '.', 'n', 'a line of text', '\u0000\u0001', 'é', '\r\n\r\n'];

/** One well-formed frame carrying a line the BBS understands, on a route that may not exist. */
export function validFrame(rng: Random, route = rng.chance(0.8) ? '@bbs' : rng.pick(ROUTES)): Buffer {
  return Buffer.from(`${route} ${JSON.stringify({ type: 'msg', msg: rng.pick(LINES) })}\0`);
}

/** The bytes of one JSON-socket fuzz connection. */
export function jsonSocketPlan(rng: Random): FuzzPlan {
  const frames: Buffer[] = [];
  switch (rng.int(0, 7)) {
    case 0:
      // Junk that still reaches the JSON door: the front door sorts on a first `@`.
      frames.push(Buffer.concat([Buffer.from('@'), rng.bytes(rng.size(4096))]));
      break;
    case 1:
      // Mostly a conversation, some of its frames mutated.
      for (let n = rng.int(1, 12); n > 0; n--) frames.push(rng.chance(0.3) ? mutate(rng, validFrame(rng)) : validFrame(rng));
      break;
    case 2:
      frames.push(validFrame(rng, '@bbs'));
      for (let n = rng.int(1, 6); n > 0; n--) frames.push(Buffer.from(`@bbs ${rng.chance(0.5) ? randomObject(rng) : randomJson(rng)}\0`));
      break;
    case 3:
      // A frame whose NUL never comes, longer than the door takes.
      frames.push(Buffer.from(`@bbs {"type":"msg","msg":"${'x'.repeat(rng.int(60_000, 70_000))}`));
      break;
    case 4:
      // NULs and whitespace doubled between frames, pings mixed in.
      for (let n = rng.int(1, 8); n > 0; n--) {
        frames.push(rng.chance(0.3) ? Buffer.from('@bbs {"type":"ping"}\0') : validFrame(rng));
        frames.push(Buffer.from(rng.pick(['\0', '\0\0', '\n', '\r\n', ' ', '\0\n\0'])));
      }
      break;
    case 5:
      // Invalid UTF-8 and control bytes inside an otherwise good body.
      frames.push(validFrame(rng, '@bbs'));
      frames.push(Buffer.concat([Buffer.from('@bbs {"type":"msg","msg":"'), rng.bytes(rng.int(1, 16)), Buffer.from('"}\0')]));
      break;
    case 6:
      // Many small frames at once, more than a caller may queue.
      frames.push(Buffer.from(Array.from({ length: rng.int(10, 200) }, () => validFrame(rng, '@bbs').toString()).join('')));
      break;
    default:
      frames.push(mutate(rng, Buffer.concat(Array.from({ length: rng.int(1, 4) }, () => validFrame(rng)))));
  }
  const stream = Buffer.concat(frames);
  // Some connections wait for the BBS to answer before going on, as a real caller does.
  const steps: (Buffer | 'await-reply')[] = [];
  for (const piece of chunks(rng, stream)) {
    steps.push(piece);
    if (rng.chance(0.2)) steps.push('await-reply');
  }
  return { steps, ending: rng.pick(['end', 'destroy', 'destroy', 'linger'] as const) };
}
