/**
 * `m2bbs dial --plain`: the call line by line on stdin and stdout, for pipes, scripts and screen
 * readers. What the BBS says goes to stdout; problems and the reason a call failed go to stderr.
 */
import type { Writable } from 'node:stream';
import { BbsCall, type CallEnd } from './bbs-call.js';
import type { DialConfig } from './dial-config.js';
import { InputLines, type LineInput } from './input-lines.js';
import type { ChooseNextNumber } from './next-number.js';

/** The streams the plain client talks on. */
export interface PlainIo {
  readonly input: LineInput;
  readonly output: Writable & { readonly isTTY?: boolean };
  readonly errors: Writable;
}

/** The exit status of a call that ended as the caller or the BBS meant it. */
export const EXIT_OK = 0;
/** The exit status of a call that got no answer, found every number busy, or dropped. */
export const EXIT_FAILED = 1;

/** Places one call and holds the conversation; resolves with the exit status. */
export async function runPlainDial(config: DialConfig & { readonly chooseNext?: ChooseNextNumber }, io: PlainIo): Promise<number> {
  // After a prompt character the cursor waits mid-line; anything else starts on a line of its own.
  let midLine = false;
  const say = (text: string): void => {
    if (text === '') return;
    io.output.write(text);
    midLine = !text.endsWith('\n');
  };
  const sayLine = (text: string): void => say(`${midLine ? '\n' : ''}${text}\n`);
  const complain = (text: string): void => {
    if (midLine) say('\n');
    io.errors.write(`${text}\n`);
  };
  let ended: ((how: CallEnd) => void) | undefined;
  const finished = new Promise<CallEnd>((resolve) => (ended = resolve));
  let over = false;
  // The prompt character of the line being answered, shown again after an event.
  let asking: string | undefined;
  const hangUp = (): void => void call.hangUp();
  const lines = new InputLines(io.input, hangUp);

  const answer = async (echo: boolean): Promise<void> => {
    const line = await lines.next(!echo);
    asking = undefined;
    if (over) return;
    // End of input is the caller putting the receiver down.
    if (line === undefined) return hangUp();
    // A secret line leaves the cursor after the prompt; a terminal echoed the line and its Enter;
    // a pipe showed nothing, so the line is shown for the transcript to read.
    if (!echo) say('\n');
    else if (io.input.isTTY === true) midLine = false;
    else say(`${line}\n`);
    call.send(line);
  };

  const call: BbsCall = new BbsCall({
    ...config,
    // A terminal's width is told, so the BBS wraps to it; a pipe has none (the BBS takes 80).
    columns: () => (io.output.isTTY === true ? (io.output as { readonly columns?: number }).columns : undefined),
    colour: config.colour && io.output.isTTY === true,
    onEvent(event) {
      if (event.kind === 'modem') sayLine(event.text);
      else if (event.kind === 'text' && event.tone === 'problem') complain(event.text);
      else if (event.kind === 'text') sayLine(event.text);
      else if (event.kind === 'event') {
        // On a line of its own, then the prompt again. Half a line typed at a terminal is still in
        // its line buffer, sent whole at Enter (Ctrl-R shows it again on most terminals).
        sayLine(event.text);
        if (asking !== undefined) say(asking);
      }
      else if (event.kind === 'prompt') {
        if (event.msg !== '') sayLine(event.msg);
        say(event.pchar);
        asking = event.pchar;
        void answer(event.echo);
      } else if (event.kind === 'ended') {
        over = true;
        ended?.(event.how);
      }
    },
  });

  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, hangUp);
  // Whoever reads stdout went away (`| head`): nobody is listening, so hang up.
  io.output.on('error', hangUp);
  try {
    call.dial();
    const how = await finished;
    if (how === 'busy') complain('m2bbs dial: every number tried was busy; try again later.');
    if (how === 'dropped') complain('m2bbs dial: the line dropped before the BBS said goodbye.');
    return how === 'exit' || how === 'hung-up' ? EXIT_OK : EXIT_FAILED;
  } finally {
    for (const signal of signals) process.off(signal, hangUp);
    io.output.off('error', hangUp);
    lines.close();
  }
}
