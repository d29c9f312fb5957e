/**
 * A scripted call on a JSON socket: the answers a caller types, one per prompt, and the turns the
 * caller saw, as a transcript that can be compared line for line with another run of the script.
 */
import { JsonSocketClient } from './json-socket-client.js';
import type { Turn } from './reply-queue.js';

/** One turn as the caller saw it: the texts, then the prompt (or the line closing). */
export interface SeenTurn {
  readonly texts: readonly string[];
  /** `pchar` and whether the answer is echoed; undefined when the line closed instead. */
  readonly prompt: { readonly pchar: string; readonly echo: boolean } | undefined;
}

/**
 * What a hook may do while the caller sits at prompt `k` (0-based), before its answer is typed. It
 * may read turns itself; it returns where the script stands then: `at`, the prompt the caller now
 * sits at (another one when the BBS asked an earlier question again), and `typed` when the hook
 * has typed that prompt's answer itself.
 */
export type AtPrompt = (k: number, call: ScriptedCall) => Promise<{ readonly at?: number; readonly typed?: boolean } | undefined>;

export interface ScriptedCall {
  readonly client: JsonSocketClient;
  /** Every turn so far, the first being the dial up to the first prompt. */
  readonly turns: SeenTurn[];
  /** Waits for the next turn and records it. */
  nextTurn(): Promise<SeenTurn>;
}

function seen(turn: Turn): SeenTurn {
  return {
    texts: turn.texts,
    prompt: turn.prompt === undefined ? undefined : { pchar: turn.prompt.pchar ?? '', echo: turn.prompt.echo !== false },
  };
}

/**
 * Dials `route` on `port` and types `answers` one per prompt; `atPrompt` runs at each prompt before
 * its answer goes. Resolves with every turn, ending with the one after the last answer.
 */
export async function runScript(port: number, answers: readonly string[], atPrompt?: AtPrompt, route = '@bbs'): Promise<SeenTurn[]> {
  const client = await JsonSocketClient.open(port, route);
  const turns: SeenTurn[] = [];
  const call: ScriptedCall = {
    client,
    turns,
    async nextTurn() {
      const turn = seen(await client.untilPrompt());
      turns.push(turn);
      return turn;
    },
  };
  try {
    client.send('connect');
    for (let k = 0; k < answers.length; k++) {
      const turn = await call.nextTurn();
      if (turn.prompt === undefined) throw new Error(`the line closed at prompt ${k} (answer ${JSON.stringify(answers[k])}); last texts: ${JSON.stringify(turn.texts)}`);
      const now = await atPrompt?.(k, call);
      k = now?.at ?? k;
      if (now?.typed !== true) client.send(answers[k] ?? '');
    }
    await call.nextTurn();
    return turns;
  } finally {
    client.destroy();
  }
}

/** The turns as transcript lines, with `replace` applied to every text (names, counts). */
export function transcript(turns: readonly SeenTurn[], replace: (text: string) => string = (t) => t): string[] {
  return turns.flatMap((turn) => [
    ...turn.texts.map((text) => `BBS| ${replace(text)}`),
    turn.prompt === undefined ? '-- line closed --' : `BBS${turn.prompt.pchar}(waits${turn.prompt.echo ? '' : ', not echoed'})`,
  ]);
}
