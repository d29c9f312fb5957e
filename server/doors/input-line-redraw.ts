/**
 * Showing an event (a chat line, a page) to a telnet caller who may be half way through typing a
 * line: the event goes on its own line(s) above, then the input line is drawn again, prompt
 * character and what was typed, so typing goes on where it was.
 */
import { decodeCp437 } from '../../common/cp437.js';
import { textColumns } from '../../common/text-columns.js';
import { encode, type TerminalCaps } from '../render-text.js';

/** The line the caller is on: the prompt character as drawn (empty when at no prompt) and what shows of the typing. */
export interface InputLine {
  readonly prompt: Buffer;
  /** What was typed and echoed (empty for a secret prompt, whose typing never shows). */
  readonly typed: string;
  /**
   * The terminal shows the typing itself (it refused the door's WILL ECHO): the door does not know
   * what it drew, so nothing may be erased in place.
   */
  readonly terminalEchoes?: boolean;
}

const SGR = /\x1b\[[0-9;]*m/g;

/**
 * The bytes that put `event` (rendered, ending in CR LF) above `line` and draw the line again.
 * A terminal that knows ANSI gets the line erased in place (every row it wrapped onto, at
 * `columns` wide, wide characters two columns); a plain one, or one echoing the typing itself, gets
 * the event on the next line and the input line after it.
 */
export function eventAboveInputLine(event: Buffer, line: InputLine, caps: TerminalCaps, columns: number): Buffer {
  if (line.prompt.length === 0 && line.typed === '') return event;
  const redrawn = Buffer.concat([line.prompt, encode(line.typed, caps)]);
  if (!caps.colour || line.terminalEchoes === true) return Buffer.concat([Buffer.from('\r\n'), event, redrawn]);
  const prompt = caps.utf8 ? line.prompt.toString('utf8') : caps.cp437 === true ? decodeCp437(line.prompt) : line.prompt.toString('latin1');
  const shown = textColumns(prompt.replace(SGR, '')) + textColumns(line.typed);
  const rowsUp = shown > 0 ? Math.floor((shown - 1) / Math.max(columns, 1)) : 0;
  return Buffer.concat([Buffer.from(`\r${rowsUp > 0 ? `\x1b[${rowsUp}A` : ''}\x1b[J`), event, redrawn]);
}
