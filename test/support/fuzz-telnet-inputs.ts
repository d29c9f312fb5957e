/**
 * Fuzz input for the telnet door: negotiation gone wrong (stray IACs, broken subnegotiations,
 * NAWS of zero or huge sizes), control characters, escape sequences, invalid UTF-8, long lines.
 */
import { chunks, mutate, NASTY_BYTES } from './fuzz-mutate.js';
import type { Random } from './fuzz-random.js';
import type { FuzzPlan } from './fuzz-run.js';

const [IAC, DONT, DO, WONT, WILL, SB, SE] = [255, 254, 253, 252, 251, 250, 240];
const [ECHO, SGA, TTYPE, NAWS] = [1, 3, 24, 31];
const OPTIONS = [ECHO, SGA, TTYPE, NAWS, 0, 5, 24, 31, 34, 36, 39, 255];
const COMMANDS = [241, 242, 243, 244, 245, 246, 247, 248, 249, SE, SB, IAC, 0, 1, 127];
const TERMINALS = ['xterm', 'dumb', 'VT100', 'ANSI', '', 'x'.repeat(300), '\u00ff\u0000', 'xterm-256color'];
const LINES = ['fuzzer', 'fuzz-pass', 'y', '', '1', '2', 'q', 'Q', '.', 'connect', 'é', 'sysop'];

/** A terminal that says what it is at once, so the door dials without waiting. */
export function goodNegotiation(rng: Random): Buffer {
  const name = Buffer.from(rng.pick(['xterm', 'dumb', 'vt100']));
  return Buffer.from([IAC, WILL, TTYPE, IAC, DO, ECHO, IAC, DO, SGA, IAC, SB, TTYPE, 0, ...name, IAC, SE, IAC, WILL, NAWS, IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE]);
}

/** One piece of nasty telnet: each is something a broken or hostile client really sends. */
export function telnetJunk(rng: Random): Buffer {
  switch (rng.int(0, 11)) {
    case 0:
      return Buffer.from([IAC, rng.pick([DO, DONT, WILL, WONT]), rng.pick(OPTIONS)]);
    case 1:
      return Buffer.from([IAC, rng.pick(COMMANDS)]);
    case 2: {
      // NAWS of zero, of the largest size, with escaped 255s, or of the wrong length.
      const size = rng.pick([[0, 0, 0, 0], [255, 255, 255, 255], [0, 1], [1, 0, 0, 0, 0, 0], [], [0, 80, 0, 24, 0]]);
      const body = size.flatMap((b) => (b === IAC && rng.chance(0.7) ? [IAC, IAC] : [b]));
      return Buffer.from([IAC, SB, NAWS, ...body, ...(rng.chance(0.8) ? [IAC, SE] : [])]);
    }
    case 3: {
      const name = Buffer.from(rng.pick(TERMINALS), 'latin1');
      return Buffer.from([IAC, SB, TTYPE, rng.pick([0, 1, 2, 255]), ...name, ...(rng.chance(0.7) ? [IAC, SE] : [IAC, rng.int(0, 254)])]);
    }
    case 4:
      // A subnegotiation that never ends, or runs far past any limit.
      return Buffer.concat([Buffer.from([IAC, SB, rng.pick(OPTIONS)]), rng.bytes(rng.int(0, 3000)).map((b) => (b === IAC ? 0 : b))]);
    case 5:
      return Buffer.from([IAC, SE]);
    case 6:
      return Buffer.from(Array.from({ length: rng.int(1, 40) }, () => rng.int(0, 31)));
    case 7:
      return Buffer.from(rng.pick(['\u001b[A', '\u001b[1;5C', '\u001bOP', '\u001b', '\u001b[999999999999999m', '\u001b]0;x\u0007', '\b\b\b', '\u007f\u007f', '\u0015', '\r\0', '\r', '\n']));
    case 8:
      return Buffer.concat([Buffer.from('a'.repeat(rng.int(3000, 9000))), Buffer.from('\r\n')]);
    case 9:
      return rng.pick(NASTY_BYTES);
    case 10:
      return rng.bytes(rng.size(512));
    default:
      return Buffer.from(`${rng.pick(LINES)}${rng.pick(['\r\n', '\r\0', '\n', '\r'])}`);
  }
}

/** The bytes of one telnet fuzz connection. */
export function telnetPlan(rng: Random): FuzzPlan {
  const pieces: Buffer[] = [];
  if (rng.chance(0.7)) pieces.push(goodNegotiation(rng));
  switch (rng.int(0, 3)) {
    case 0:
      pieces.push(rng.bytes(rng.size(4096)));
      break;
    case 1:
      for (let n = rng.int(1, 10); n > 0; n--) pieces.push(telnetJunk(rng));
      break;
    case 2:
      // Typed lines, some of them mangled.
      for (let n = rng.int(1, 10); n > 0; n--) {
        const line = Buffer.from(`${rng.pick(LINES)}\r\n`);
        pieces.push(rng.chance(0.3) ? mutate(rng, line) : line);
      }
      break;
    default:
      pieces.push(mutate(rng, Buffer.concat(Array.from({ length: rng.int(1, 6) }, () => telnetJunk(rng)))));
  }
  const steps: (Buffer | 'await-reply')[] = [];
  for (const piece of chunks(rng, Buffer.concat(pieces))) {
    steps.push(piece);
    if (rng.chance(0.2)) steps.push('await-reply');
  }
  return { steps, ending: rng.pick(['end', 'destroy', 'destroy', 'linger'] as const) };
}
