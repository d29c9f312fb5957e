/**
 * What a caller saw and typed, rebuilt from their call's journal (a sysop's `m2bbs sysop replay`):
 * the flow runs again from the call's first row, every effect that consumed something answered
 * from its row as a takeover's replay does, and every screen, prompt and event it shows is
 * rendered as the caller got it. Nothing is called or written. A password was never journaled:
 * it shows as `***`. Where the code or the screens no longer fit the rows, the transcript says so
 * and stops.
 */
import type { JournalRow } from '../db/journal-types.js';
import { DEFAULT_COLUMNS } from '../common/terminal-columns.js';
import type { Effect, Flow } from './effects.js';
import { resumeWith } from './effect-runners.js';
import { renderNotice } from './notices.js';
import { renderReply } from './replies.js';
import { replayStep, startOf, type FlowStart } from './replay.js';
import type { Screens } from './screens.js';
import { screensAt } from './screen-width.js';
import type { Resume } from './session.js';

/** One thing in a call, in order: a screen or event the caller was shown, a prompt, a line they typed, or a note about the journal. */
export interface TranscriptEntry {
  readonly kind: 'screen' | 'event' | 'prompt' | 'typed' | 'note';
  readonly text: string;
}

/** What a typed password shows as. */
export const MASKED = '***';

// A flow that never asks for a row again would loop here forever: no call runs this many effects.
const MAX_EFFECTS = 1_000_000;

/** The transcript of the call whose journal is `rows` (from its first row), its screens rendered `columns` wide. */
export function transcriptOf(rows: readonly JournalRow[], screens: Screens, startFlow: (start?: FlowStart) => Flow, columns = DEFAULT_COLUMNS): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  const wide = screensAt(screens, columns);
  const { start, replay } = startOf(rows);
  let flow = startFlow(start);
  let step: IteratorResult<Effect, void>;
  try {
    step = flow.next();
    for (let effects = 0; !step.done && effects < MAX_EFFECTS; effects++) {
      const effect = step.value;
      switch (effect.kind) {
        case 'show':
          out.push({ kind: 'screen', text: messageOf(renderReply(wide, effect)) });
          step = flow.next(undefined);
          continue;
        case 'notify':
          out.push({ kind: 'event', text: messageOf(renderNotice(wide, effect, new Date(0), effect.about)) });
          step = flow.next(undefined);
          continue;
        case 'sleep':
        case 'publish':
        case 'identify':
        case 'activity':
          step = flow.next(undefined);
          continue;
        case 'ask':
        case 'listen': {
          const prompt = JSON.parse(renderReply(wide, effect.kind === 'ask' ? effect : { kind: 'ask', screen: effect.screen, vars: effect.vars, pchar: effect.pchar, echo: true })) as { msg?: string; pchar?: string };
          // A listen shown quietly left its prompt on the screen, under the event.
          if (effect.kind === 'ask' || !effect.quiet) out.push({ kind: 'prompt', text: `${prompt.msg ?? ''}${prompt.pchar ?? ''}` });
          break;
        }
        default:
          break;
      }
      // A fresh start in the rows: the board changed under the call and it began again there.
      if (replay.rows[replay.index]?.kind === 'start') {
        out.push({ kind: 'note', text: 'the board was updated while the line moved: the call started again here' });
        replay.index++;
        flow = startFlow(undefined);
        step = flow.next();
        continue;
      }
      const row = replay.rows[replay.index];
      const next = replayStep(replay, effect, screens);
      if (next.step === 'live') {
        out.push({ kind: 'note', text: replay.index >= replay.rows.length ? 'the journal ends here' : 'a password typed here was not kept; the journal ends here' });
        return out;
      }
      if (next.step === 'mismatch') {
        out.push({ kind: 'note', text: `the rest cannot be shown: the board's code or screens changed since (${next.why})` });
        return out;
      }
      if (row?.kind === 'line') out.push({ kind: 'typed', text: row.value === null ? MASKED : typedText(next.resume) });
      step = resumeWith(flow, next.resume);
    }
  } catch (error) {
    out.push({ kind: 'note', text: `the flow stopped on an error: ${(error as Error).message}` });
    return out;
  }
  out.push({ kind: 'note', text: 'the call ended here' });
  return out;
}

function messageOf(body: string): string {
  return (JSON.parse(body) as { msg?: string }).msg ?? '';
}

function typedText(resume: Resume): string {
  if (!resume.ok) return '';
  const value = resume.value as unknown;
  if (typeof value === 'string') return value;
  // A listen heard a line.
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'line') return String((value as { text?: unknown }).text ?? '');
  return '';
}
