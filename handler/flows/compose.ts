/** The line editor behind leaving a message and sending mail: lines until a `.` alone. */
import { isWriteFailure } from '../../db/write-failure.js';
import { askLine, call, show, type Flow } from '../effects.js';
import { isLineEnded } from '../line-ended.js';
import type { Limits } from '../limits.js';
import { charLength, wrapLine } from './wrap.js';

/**
 * Collects a message body; undefined when the caller wrote nothing. The caller has already been
 * told the limits; over-long lines are wrapped (and the caller told), never silently cut, and
 * lines past the last one are shown back as not added; the `.` line always ends the message.
 * `initial` lines (a reply's quote) come first, and the editor numbers on from them.
 */
export function* composeBody(limits: Limits, initial: readonly string[] = [], draft?: DraftFor): Flow<string | undefined> {
  const lines: string[] = [...initial];
  try {
    return yield* collect(limits, lines);
  } catch (err) {
    // The line is ended under the caller (they hung up, logged in elsewhere, or idled): what they
    // had written goes out with the closing notice, for them to copy, and is kept for their next
    // call, rather than vanish. The initial lines (a quote) are not theirs: a reply with only its
    // quote has nothing to keep.
    if (isLineEnded(err) && lines.slice(initial.length).some((line) => line !== '')) {
      const body = lines.join('\n');
      yield* show('draft_not_posted', { body });
      if (draft !== undefined) yield* keepDraft(draft, body);
    }
    throw err;
  }
}

/** Whose draft a message being written is, and what it is ("a message", "mail to bob"). */
export interface DraftFor {
  readonly callerId: number;
  readonly what: string;
}

function* keepDraft(draft: DraftFor, body: string): Flow {
  try {
    yield* call('keepDraft', draft.callerId, draft.what, body);
  } catch (err) {
    // Not stored (a full disk; logged): shown on the way out is all the caller gets then.
    if (!isWriteFailure(err)) throw err;
  }
}

// The lines into `lines` as they come, so that what is written so far is there if the line ends.
function* collect(limits: Limits, lines: string[]): Flow<string | undefined> {
  while (lines.length < limits.maxLines) {
    const line = (yield* askLine(`${String(lines.length + 1).padStart(2, ' ')}> `)).trimEnd();
    if (line === '.') break;
    if (charLength(line) <= limits.maxLineLength) {
      lines.push(line);
      continue;
    }
    const pieces = wrapLine(line, limits.maxLineLength);
    const linesLeft = limits.maxLines - lines.length;
    if (pieces.length > linesLeft) {
      yield* show('line_does_not_fit', {
        length: charLength(line),
        lines_left: linesLeft,
        max_length: limits.maxLineLength,
      });
      continue;
    }
    lines.push(...pieces);
    yield* show('line_wrapped', { pieces: pieces.length, max_length: limits.maxLineLength });
  }
  if (lines.length >= limits.maxLines) {
    yield* show('message_full', { max_lines: limits.maxLines });
    // Lines typed or pasted past the end are still the caller's: each is shown back as not
    // added until the . that ends the message, rather than read by the menu as choices.
    for (;;) {
      const extra = (yield* askLine(' .> ')).trimEnd();
      if (extra === '.') break;
      yield* show('line_not_added', { line: extra, max_lines: limits.maxLines });
    }
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? undefined : lines.join('\n');
}
