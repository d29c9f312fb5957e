/**
 * Backend replies (common/bbs-messages.ts: `screen`, `prompt`, `exit`, `busy`, `event`) as terminal text for callers on a plain
 * byte stream such as telnet: CR LF line ends, colour and UTF-8 only where the terminal has them.
 */
import { decodeShownMessage } from '../common/bbs-messages.js';
import { encodeCp437 } from '../common/cp437.js';

/** What a caller's terminal can show, as far as the proxy knows. */
export interface TerminalCaps {
  readonly colour: boolean;
  readonly utf8: boolean;
  /** The terminal shows the IBM PC character set (ANSI art terminals): text goes as CP437 bytes. */
  readonly cp437?: boolean;
}

/** A terminal that said nothing about itself: 7-bit ASCII, no colour. */
export const PLAIN_TERMINAL: TerminalCaps = Object.freeze({ colour: false, utf8: false });

/** A reply ready for the wire, and whether it asks the caller for a line. */
export interface RenderedReply {
  readonly bytes: Buffer;
  readonly awaitsLine: boolean;
  /** False for a prompt whose answer must not be shown (passwords). */
  readonly echo: boolean;
  /** For a prompt, the bytes of its input line's start (the prompt character), drawn again below an event. */
  readonly promptLine?: Buffer;
  /** An event (a chat line, a page): shown above the input line, leaving the prompt as it is. */
  readonly event?: true;
}

const COLOUR_TERMINALS =
  /^(xterm|ansi|vt1[0-9][0-9]|vt[2-5][0-9][0-9]|screen|tmux|linux|rxvt|putty|konsole|gnome|alacritty|kitty|foot|wezterm|iterm|vte|cygwin|eterm|syncterm|cons25|pcansi|scoansi|st-)|-(256)?colou?r$/;
const UTF8_TERMINALS = /^(xterm|screen|tmux|rxvt-unicode|linux|putty|konsole|gnome|alacritty|kitty|foot|wezterm|iterm|vte|st-)/;
// BBS terminals that draw CP437 (ANSI art) and no UTF-8; `cp437` is a type any terminal may be set to send.
const CP437_TERMINALS = /^(ansi|ansi-bbs|pcansi|scoansi|syncterm|cp437)$/;

const GREEN = '\x1b[32m';
const BRIGHT = '\x1b[1;32m';
const YELLOW = '\x1b[1;33m';
const RESET = '\x1b[0m';

/** The capabilities a terminal type (telnet TTYPE, any case) implies; undefined means plain. */
export function terminalCaps(terminalType: string | undefined): TerminalCaps {
  if (terminalType === undefined) return PLAIN_TERMINAL;
  const name = terminalType.toLowerCase();
  const cp437 = CP437_TERMINALS.test(name);
  return Object.freeze({ colour: cp437 || COLOUR_TERMINALS.test(name), utf8: UTF8_TERMINALS.test(name), ...(cp437 ? { cp437 } : {}) });
}

/** Renders one reply body from a backend; a body that is not a JSON reply becomes a one-line note. */
export function renderReply(body: Buffer | string, caps: TerminalCaps): RenderedReply {
  const reply = decodeShownMessage(body);
  if (reply === undefined) return { bytes: renderNotice('[The BBS sent something this terminal cannot show.]', caps), awaitsLine: false, echo: true };
  if (reply.type === 'ping') return { bytes: Buffer.alloc(0), awaitsLine: false, echo: true };
  const { msg } = reply;
  if (reply.type === 'prompt') {
    const head = msg === '' ? '' : `${paint(GREEN, msg, caps)}\r\n`;
    const promptLine = encode(paint(BRIGHT, reply.pchar, caps), caps);
    return { bytes: Buffer.concat([encode(head, caps), promptLine]), awaitsLine: true, echo: reply.echo !== false, promptLine };
  }
  if (msg === '') return { bytes: Buffer.alloc(0), awaitsLine: false, echo: true, ...(reply.type === 'event' ? { event: true as const } : {}) };
  if (reply.type === 'event') return { bytes: encode(`${paint(GREEN, msg, caps)}\r\n`, caps), awaitsLine: false, echo: true, event: true };
  const colour = reply.type === 'busy' || reply.type === 'notice' ? YELLOW : GREEN;
  return { bytes: encode(`${paint(colour, msg, caps)}\r\n`, caps), awaitsLine: false, echo: true };
}

/** Renders a message from the proxy itself (line dropped, bad input, shutdown) on a line of its own. */
export function renderNotice(msg: string, caps: TerminalCaps): Buffer {
  return encode(`\r\n${paint(YELLOW, msg, caps)}\r\n`, caps);
}

/** Turns text into bytes the terminal can show: UTF-8, CP437 for ANSI-art terminals, or 7-bit ASCII with accents stripped. */
export function encode(text: string, caps: TerminalCaps): Buffer {
  if (caps.utf8) return Buffer.from(text, 'utf8');
  return caps.cp437 === true ? encodeCp437(text, toAscii) : Buffer.from(toAscii(text), 'latin1');
}

// Backends are not trusted with the caller's terminal: only their own colour codes survive, and
// only on terminals that have colour.
const CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f]/g;

function paint(colour: string, text: string, caps: TerminalCaps): string {
  let clean = text.replace(/\r\n?/g, '\n').replace(CONTROLS, '');
  clean = caps.colour ? clean.replace(/\x1b(?!\[)/g, '') : clean.replace(CSI, '').replace(/\x1b/g, '');
  clean = clean.replace(/\n/g, '\r\n');
  if (!caps.colour || clean === '') return clean;
  // A reset inside the text (a sysop's `{/}`) returns to the door's colour, not the terminal's.
  clean = clean.replace(/\x1b\[0?m/g, (reset) => `${reset}${colour}`);
  return `${colour}${clean}${RESET}`;
}

const ASCII_FOR: Readonly<Record<string, string>> = {
  'ß': 'ss', 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'ø': 'o', 'Ø': 'O', 'đ': 'd', 'Đ': 'D',
  'ł': 'l', 'Ł': 'L', 'ð': 'd', 'Ð': 'D', 'þ': 'th', 'Þ': 'Th', 'ı': 'i',
  '‘': "'", '’': "'", '‚': "'", '‛': "'", '“': '"', '”': '"', '„': '"', '«': '<<', '»': '>>',
  '‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-', '•': '*', '·': '.',
  '×': 'x', '÷': '/', '©': '(c)', '®': '(R)', '€': 'EUR', '£': 'GBP', '\u00a0': ' ',
  '─': '-', '━': '-', '═': '=', '│': '|', '┃': '|', '║': '|',
  // Glyphs CP437 draws at control bytes, which are never sent as those bytes (common/cp437.ts):
  // one character each, so ANSI art keeps its alignment.
  '►': '>', '◄': '<', '▲': '^', '▼': 'v', '→': '>', '←': '<', '↑': '^', '↓': 'v', '↔': '-', '↕': '|', '○': 'o', '◘': '#', '◙': 'o',
};

/** Transliterates text to 7-bit ASCII: accents dropped (NFKD), a few look-alikes, `?` for the rest. */
export function toAscii(text: string): string {
  let out = '';
  for (const char of text.normalize('NFKD').replace(/\p{M}/gu, '')) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) out += char;
    else if (code >= 0x2500 && code <= 0x257f) out += ASCII_FOR[char] ?? '+';
    else out += ASCII_FOR[char] ?? '?';
  }
  return out;
}
