/**
 * Fuzz input for the WebSocket door: a good upgrade, then frames hand-made to break the rules
 * (bad opcodes, unmasked, fragmented control frames, huge lengths, reserved bits, cut short).
 */
import { goodUpgrade } from './fuzz-http-inputs.js';
import { chunks, mutate, randomJson, randomObject } from './fuzz-mutate.js';
import type { Random } from './fuzz-random.js';
import type { FuzzPlan } from './fuzz-run.js';

const LINES = ['fuzzer', 'fuzz-pass', 'y', '', '1', '2', 'q', '.', 'connect', '\u0000', 'é'];

export interface WsFrameSpec {
  readonly fin?: boolean;
  readonly rsv?: number;
  readonly opcode: number;
  readonly masked?: boolean;
  readonly payload: Buffer;
  /** A length to claim instead of the payload's own. */
  readonly claimedLength?: bigint;
}

/** Encodes one client frame as RFC 6455 lays it out, rules kept or broken as `spec` says. */
export function wsFrame(spec: WsFrameSpec): Buffer {
  const { fin = true, rsv = 0, opcode, masked = true, payload } = spec;
  const length = spec.claimedLength ?? BigInt(payload.length);
  const head = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) head.push(maskBit | 126, Number(length >> 8n) & 0xff, Number(length) & 0xff);
  else {
    head.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) head.push(Number((length >> shift) & 0xffn));
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = [0x12, 0x34, 0x56, 0x78];
  const body = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from(head), Buffer.from(key), body]);
}

const text = (line: string): Buffer => wsFrame({ opcode: 1, payload: Buffer.from(JSON.stringify({ type: 'msg', msg: line })) });

/** One frame, lawful or not. */
export function wsJunkFrame(rng: Random): Buffer {
  switch (rng.int(0, 11)) {
    case 0:
      return wsFrame({ opcode: rng.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), payload: rng.bytes(rng.int(0, 20)) });
    case 1:
      return wsFrame({ opcode: 1, masked: false, payload: Buffer.from('{"type":"msg","msg":"unmasked"}') });
    case 2:
      // A control frame that is fragmented, or too long for a control frame.
      return wsFrame({ fin: rng.chance(0.5) ? false : true, opcode: rng.pick([8, 9, 10]), payload: rng.chance(0.5) ? rng.bytes(rng.int(126, 300)) : Buffer.alloc(0) });
    case 3:
      return wsFrame({ opcode: rng.pick([1, 2]), payload: Buffer.from('{"type"'), claimedLength: rng.pick([2n ** 63n - 1n, 2n ** 64n - 1n, 2n ** 32n, 70_000n, 65_536n]) });
    case 4:
      return wsFrame({ opcode: 1, rsv: rng.int(1, 7), payload: Buffer.from('{"type":"msg","msg":"rsv"}') });
    case 5:
      // A close with a 1-byte body, a forbidden code, or a reason that is not UTF-8.
      return wsFrame({ opcode: 8, payload: rng.pick([Buffer.from([3]), Buffer.from([0x03, 0xed]), Buffer.from([0, 0]), Buffer.from([0x03, 0xe8, 0xff, 0xfe]), Buffer.from([0x13, 0x88])]) });
    case 6:
      return wsFrame({ opcode: 0, payload: Buffer.from('continued') });
    case 7:
      // A message in fragments, the last of which may never come.
      return Buffer.concat([wsFrame({ fin: false, opcode: 1, payload: Buffer.from('{"type":"msg",') }), ...(rng.chance(0.5) ? [wsFrame({ opcode: 0, payload: Buffer.from('"msg":"frag"}') })] : [])]);
    case 8:
      return wsFrame({ opcode: 1, payload: Buffer.concat([Buffer.from('{"type":"msg","msg":"'), rng.bytes(rng.int(1, 8)), Buffer.from('"}')]) });
    case 9:
      return wsFrame({ opcode: rng.pick([1, 2]), payload: Buffer.from(rng.chance(0.5) ? randomObject(rng) : randomJson(rng)) });
    case 10:
      return wsFrame({ opcode: 1, payload: Buffer.from(JSON.stringify({ type: 'msg', msg: 'x'.repeat(rng.int(60_000, 70_000)) })) });
    default:
      return mutate(rng, text(rng.pick(LINES)));
  }
}

/** The bytes of one WebSocket fuzz connection: an upgrade, then frames. */
export function webSocketPlan(rng: Random): FuzzPlan {
  const frames: Buffer[] = [];
  for (let n = rng.int(1, 8); n > 0; n--) frames.push(rng.chance(0.35) ? text(rng.pick(LINES)) : rng.chance(0.2) ? wsFrame({ opcode: 9, payload: Buffer.from('ping') }) : wsJunkFrame(rng));
  const steps: (Buffer | 'await-reply')[] = [goodUpgrade(rng.chance(0.9) ? '@bbs' : '@bbs.10')];
  // Frames either wait for the 101 or ride in the upgrade's own packet (the server's `head`).
  if (rng.chance(0.6)) steps.push('await-reply');
  const stream = Buffer.concat(frames);
  const sent = rng.chance(0.3) ? stream.subarray(0, rng.int(0, stream.length)) : stream;
  for (const piece of chunks(rng, sent)) {
    steps.push(piece);
    if (rng.chance(0.2)) steps.push('await-reply');
  }
  // Often cut short above and dropped here: a line that goes dead inside a frame.
  return { steps, ending: rng.pick(['end', 'destroy', 'destroy', 'linger'] as const) };
}
