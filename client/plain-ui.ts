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

/** Exit statuses: a call that ended as the caller or the BBS meant it, and one that never got going or dropped. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;

/** Places one call and holds the conversation; resolves with the exit status. */
export async function runPlainDial(config: DialConfig & { readonly chooseNext?: ChooseNextNumber }, io: PlainIo): Promise<number> {
  const say = (text: string): void => void io.output.write(text);
  let ended: ((how: CallEnd) => void) | undefined;
  const finished = new Promise<CallEnd>((resolve) => (ended = resolve));
  let over = false;
  const hangUp = (): void => void call.hangUp();
  const lines = new InputLines(io.input, hangUp);

  const answer = async (echo: boolean): Promise<void> => {
    const line = await lines.next(!echo);
    if (over) return;
    // End of input is the caller putting the receiver down.
    if (line === undefined) return hangUp();
    // A terminal has shown what was typed already; from a pipe, show it so the transcript reads.
    if (!echo) say('\n');
    else if (io.input.isTTY !== true) say(`${line}\n`);
    call.send(line);
  };

  const call: BbsCall = new BbsCall({
    ...config,
    colour: config.colour && io.output.isTTY === true,
    onEvent(event) {
      if (event.kind === 'modem') say(`${event.text}\n`);
      else if (event.kind === 'text' && event.tone === 'problem') io.errors.write(`${event.text}\n`);
      else if (event.kind === 'text') say(`${event.text}\n`);
      else if (event.kind === 'prompt') {
        if (event.msg !== '') say(`${event.msg}\n`);
        say(event.pchar);
        void answer(event.echo);
      } else if (event.kind === 'ended') {
        over = true;
        ended?.(event.how);
      }
    },
  });

  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, hangUp);
  try {
    call.dial();
    const how = await finished;
    if (how === 'busy') io.errors.write('m2bbs dial: every number tried was busy; try again later.\n');
    if (how === 'dropped') io.errors.write('m2bbs dial: the line dropped before the BBS said goodbye.\n');
    return how === 'exit' || how === 'hung-up' ? EXIT_OK : EXIT_FAILED;
  } finally {
    for (const signal of signals) process.off(signal, hangUp);
    lines.close();
  }
}
