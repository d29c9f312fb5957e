/**
 * Fuzz input for a backend's request frames, as a broken Mongrel2 could send them: netstring
 * lengths that lie, malformed tnetstring headers, bodies that are not JSON, odd connection ids.
 */
import { encodeDisconnect } from '../../common/mongrel2-wire.js';
import { M2_UUID, type FakeMongrel2 } from './fake-mongrel2.js';
import { mutate, NASTY_BYTES, randomJson, randomObject } from './fuzz-mutate.js';
import type { Random } from './fuzz-random.js';

const UUIDS = [M2_UUID, M2_UUID, M2_UUID, 'other-server', 'x', '\u00e9\u00e9', M2_UUID.toUpperCase()];
const PATHS = ['@bbs', '@bbs', '@*', '/', '@bbs.10', '@', 'x'.repeat(300)];
const LINES = ['connect', 'fuzzer', 'fuzz-pass', 'y', '', '1', '2', 'q', '.', '\u0000', 'é', 'a'.repeat(500)];
const JSON_HEADERS = '{"PATH":"@bbs","METHOD":"JSON","PATTERN":"@bbs"}';
const TNET_HEADERS = '4:PATH,4:@bbs,6:METHOD,4:JSON,';

/** The parts of one request frame, each free to be wrong. */
interface FrameParts {
  uuid: string;
  connId: string;
  path: string;
  headers: Buffer;
  /** `,` for JSON headers, `}` for a tnetstring dict. */
  headerEnd: string;
  body: Buffer;
}

/** A connection id: mostly decimal numbers the scripted callers never use, sometimes not a number at all. */
function connId(rng: Random, avoid: ReadonlySet<string>): string {
  const id = rng.chance(0.85)
    ? String(rng.int(0, rng.chance(0.8) ? 50 : 2 ** 31))
    : rng.pick(['-1', '01', '1.5', '', ' ', 'abc', '99999999999999999999999999', '0x10', '1e3', '\u0661', `${'9'.repeat(400)}`]);
  return avoid.has(id) ? `${id}0` : id;
}

function frameOf(parts: FrameParts, lengths: { head?: string; body?: string } = {}): Buffer {
  const head = lengths.head ?? String(parts.headers.length);
  const body = lengths.body ?? String(parts.body.length);
  return Buffer.concat([
    Buffer.from(`${parts.uuid} ${parts.connId} ${parts.path} ${head}:`),
    parts.headers,
    Buffer.from(`${parts.headerEnd}${body}:`),
    parts.body,
    Buffer.from(','),
  ]);
}

/** A tnetstring (as a string of ASCII) that is malformed in one of the ways parsers get wrong. */
function badTnetstring(rng: Random): string {
  switch (rng.int(0, 5)) {
    case 0:
      return `${rng.pick(['5', '999999999', '0', '-1', '01'])}:PATH,4:@bbs,`;
    case 1:
      return `4:PATH,${rng.pick(['4:@bbs#', '4:@bbs!', '4:@bbs^', '4:true!', '3:1.x^', '0:~', '4:@bbs'])}`;
    case 2: {
      // Lists nested far deeper than any header needs.
      let inner = '0:]';
      for (let depth = rng.int(50, 3000); depth > 0; depth--) inner = `${inner.length}:${inner}]`;
      return `4:PATH,${inner}`;
    }
    case 3:
      return `4:PATH,${rng.pick(['9:', '4:@bbs', ':', '4:@b', '4:@bbs,4:PATH'])}`;
    case 4:
      return `${rng.pick(['1:', '2:10#', '0:]', '4:true!', '0:~'])}4:@bbs,`;
    default:
      return mutate(rng, Buffer.from(TNET_HEADERS)).toString('latin1');
  }
}

function body(rng: Random): Buffer {
  switch (rng.int(0, 5)) {
    case 0:
    case 1:
      return Buffer.from(JSON.stringify({ type: 'msg', msg: rng.pick(LINES) }));
    case 2:
      return Buffer.from(rng.chance(0.5) ? randomObject(rng) : randomJson(rng));
    case 3:
      return mutate(rng, Buffer.from(JSON.stringify({ type: 'msg', msg: rng.pick(LINES) })));
    case 4:
      return Buffer.concat([Buffer.from('{"type":"msg","msg":"'), rng.pick(NASTY_BYTES), Buffer.from('"}')]);
    default:
      return rng.bytes(rng.size(rng.chance(0.05) ? 70_000 : 256));
  }
}

/** One request frame for the backend, never on a connection id in `avoid`. */
export function requestFrame(rng: Random, avoid: ReadonlySet<string>): Buffer {
  const tnet = rng.chance(0.3);
  const parts: FrameParts = {
    uuid: rng.pick(UUIDS),
    connId: connId(rng, avoid),
    path: rng.pick(PATHS),
    headers: Buffer.from(tnet ? (rng.chance(0.6) ? TNET_HEADERS : badTnetstring(rng)) : rng.chance(0.7) ? JSON_HEADERS : randomJson(rng), 'latin1'),
    headerEnd: tnet ? '}' : ',',
    body: body(rng),
  };
  if (parts.path === '@*' && rng.chance(0.5)) parts.body = Buffer.from('{"type":"disconnect"}');
  switch (rng.int(0, 5)) {
    case 0:
      // Netstring lengths that lie: too long, too short, huge, with leading zeros, or no number.
      return frameOf(parts, rng.chance(0.5) ? { head: lie(rng, parts.headers.length) } : { body: lie(rng, parts.body.length) });
    case 1:
      return mutate(rng, frameOf(parts));
    case 2:
      // Pieces missing or doubled: no space, no trailing comma, data after the end.
      return Buffer.concat([frameOf(parts).subarray(0, -1), Buffer.from(rng.pick(['', ',,', '}', ' ', ',1:x,']))]);
    default:
      return frameOf(parts);
  }
}

function lie(rng: Random, length: number): string {
  return rng.pick([String(length + 1), String(Math.max(0, length - 1)), '999999999', '9999999999', `0${length}`, '', '-1', ' 1', `${length}.0`]);
}

/** Sends frames from seeded streams until the time or the count is used up; frame `i` is always the same. */
export async function fuzzFrames(options: {
  readonly seed: number;
  readonly durationMs: number;
  readonly maxFrames: number;
  readonly avoid: ReadonlySet<string>;
  readonly send: (frame: Buffer) => Promise<void>;
  readonly random: (seed: number, index: number) => Random;
  /** Resolves once the backend has dealt with every frame sent so far; called every `settleEvery` frames. */
  readonly settle: () => Promise<void>;
  readonly settleEvery: number;
}): Promise<{ frames: number; bytes: number }> {
  const deadline = Date.now() + options.durationMs;
  const stats = { frames: 0, bytes: 0 };
  while (Date.now() < deadline && stats.frames < options.maxFrames) {
    const rng = options.random(options.seed, stats.frames);
    // Now and then a short conversation on one connection, so that frames reach a session's flow.
    const frames = rng.chance(0.1) ? conversation(rng, options.avoid) : [requestFrame(rng, options.avoid)];
    for (const frame of frames) {
      await options.send(frame);
      stats.bytes += frame.length;
    }
    stats.frames++;
    // A backend reads as fast as it can but ZeroMQ queues far faster: without a pause now and
    // then, the scripted caller's lines would wait behind seconds of queued junk.
    if (stats.frames % options.settleEvery === 0) await options.settle();
  }
  await options.settle();
  return stats;
}

function conversation(rng: Random, avoid: ReadonlySet<string>): Buffer[] {
  const id = String(rng.int(1000, 2000));
  if (avoid.has(id)) return [];
  const frame = (line: string): Buffer =>
    frameOf({ uuid: M2_UUID, connId: id, path: '@bbs', headers: Buffer.from(JSON_HEADERS), headerEnd: ',', body: Buffer.from(JSON.stringify({ type: 'msg', msg: line })) });
  return Array.from({ length: rng.int(1, 12) }, () => (rng.chance(0.2) ? requestFrame(rng, avoid) : frame(rng.pick(LINES))));
}

/**
 * Dials on a connection of its own and waits for the first prompt, then hangs up: the backend
 * reads frames in order, so by then it has dealt with every frame sent before.
 */
export function settler(m2: FakeMongrel2, send: (frame: Buffer) => Promise<void>): () => Promise<void> {
  let serial = 0;
  return async () => {
    // Ten digits from 7: above any id the fuzz makes (at most 2^31), so never one of its.
    const id = String(7_000_000_000 + serial++);
    await send(m2.request(id, JSON.stringify({ type: 'msg', msg: 'connect' })));
    await m2.untilPrompt(id);
    await send(encodeDisconnect(M2_UUID, id));
  };
}
