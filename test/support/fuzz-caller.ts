/**
 * The scripted caller that talks to the BBS while a fuzz runs: signs up, posts a message, reads
 * it back and quits, through any door; every step says what the caller saw when it fails.
 */
import { encodeDisconnect } from '../../common/mongrel2-wire.js';
import { M2_UUID, type FakeMongrel2 } from './fake-mongrel2.js';
import { withinDeadline } from './fuzz-run.js';
import { JsonSocketClient } from './json-socket-client.js';
import type { Turn } from './reply-queue.js';
import { TelnetCaller } from './telnet-caller.js';
import { WsCaller } from './ws-caller.js';

/** One caller's line as the script sees it, whatever the door. */
export interface CallerLine {
  /** Dials (when the door needs it) and resolves with what is shown up to `expect`, or the first prompt. */
  open(expect: RegExp): Promise<string>;
  /** Types a line; resolves with what is shown after it, up to `expect` or the next prompt. */
  say(line: string, expect: RegExp): Promise<string>;
  /** Resolves once the BBS has closed the line. */
  closed(): Promise<void>;
  hangUp(): void;
}

/** Generous: on a loaded 2-core machine a scrypt sign-up under fuzz can take a few seconds. */
const STEP_DEADLINE_MS = 15_000;

/** A script's record of what happened, for the failure message. */
export class Transcript {
  readonly lines: string[] = [];

  async step(line: CallerLine, typed: string | undefined, expect: RegExp): Promise<string> {
    this.lines.push(typed === undefined ? '(dials)' : `YOU: ${JSON.stringify(typed)}`);
    const what = typed === undefined ? 'dialling' : `typing ${JSON.stringify(typed)}`;
    const seen = await withinDeadline(typed === undefined ? line.open(expect) : line.say(typed, expect), STEP_DEADLINE_MS, what);
    this.lines.push(...seen.split(/\r?\n/).map((l) => `BBS| ${l}`));
    if (!expect.test(seen)) throw new Error(`after ${what} the caller saw no ${String(expect)}`);
    return seen;
  }

  toString(): string {
    return this.lines.slice(-40).join('\n');
  }
}

/** Signs up as `name`, posts `message`, reads the board until it shows, and quits. */
export async function signUpPostReadQuit(line: CallerLine, name: string, password: string, message: string, transcript: Transcript): Promise<void> {
  await transcript.step(line, undefined, /What's your name\?/);
  await transcript.step(line, name, /What's your password\?/);
  await transcript.step(line, password, new RegExp(`Sign up as ${name}\\?`));
  await transcript.step(line, 'y', /Type the same password again/);
  await transcript.step(line, password, new RegExp(`Welcome aboard, ${name}![\\s\\S]*Do you want to continue\\?`));
  await transcript.step(line, '', /Q\. Quit the BBS\./);
  await transcript.step(line, '1', /Leave a message: up to/);
  await transcript.step(line, message, /2> /);
  await transcript.step(line, '.', /Your message is on the board as number \d+\.[\s\S]*Q\. Quit the BBS\./);
  let read = await transcript.step(line, '2', /That's all|Enter for more/);
  let board = read;
  // Fuzz callers may have posted too: the board is read a page at a time until its end.
  while (!/That's all/.test(read)) board += read = await transcript.step(line, '', /That's all|Enter for more/);
  if (!board.includes(message)) throw new Error(`the board did not show the message posted, ${JSON.stringify(message)}`);
  // The end of the board asks (R would reply to its last page); Enter goes back to the menu.
  await transcript.step(line, '', /Q\. Quit the BBS\./);
  await transcript.step(line, 'q', new RegExp(`see ya later, ${name}\\.`));
  await withinDeadline(line.closed(), STEP_DEADLINE_MS, 'waiting for the line to close after Q');
  transcript.lines.push('-- line closed --');
}

/** Logs in as a caller who signed up before, and quits from the main menu. */
export async function logInAndQuit(line: CallerLine, name: string, password: string, transcript: Transcript): Promise<void> {
  await transcript.step(line, undefined, /What's your name\?/);
  await transcript.step(line, name, /What's your password\?/);
  await transcript.step(line, password, new RegExp(`Hello ${name}\\.[\\s\\S]*Do you want to continue\\?`));
  await transcript.step(line, '', /Q\. Quit the BBS\./);
  await transcript.step(line, 'q', new RegExp(`see ya later, ${name}\\.`));
  await withinDeadline(line.closed(), STEP_DEADLINE_MS, 'waiting for the line to close after Q');
}

// The prompt's own characters (` 2> ` while a message is written) are part of what is shown.
const text = (turn: Turn): string => turn.texts.join('\n') + (turn.prompt?.pchar ?? '');

/** A caller on the JSON-socket door. */
export async function jsonSocketLine(port: number): Promise<CallerLine> {
  const client = await JsonSocketClient.open(port, '@bbs');
  return {
    open: async () => {
      client.send('connect');
      return text(await client.untilPrompt());
    },
    say: async (line) => text(await client.exchange(line)),
    closed: () => client.closedByServer(),
    hangUp: () => client.destroy(),
  };
}

/** A caller on the WebSocket door, as the page is one (the door dials on opening). */
export async function webSocketLine(port: number): Promise<CallerLine> {
  const caller = await WsCaller.open(port, '/ws?route=@bbs');
  return {
    open: async () => text(await caller.untilPrompt()),
    say: async (line) => text(await caller.exchange(line)),
    closed: async () => {
      if (caller.closeCode === undefined) await new Promise((resolve) => caller.ws.once('close', resolve));
    },
    hangUp: () => caller.ws.terminate(),
  };
}

/** A caller on the telnet door, with a plain terminal that negotiates as a real one does. */
export async function telnetLine(port: number): Promise<CallerLine> {
  const caller = await TelnetCaller.open(port, 'dumb');
  return {
    open: (expect) => caller.waitFor(expect),
    say: (line, expect) => caller.type(line, expect),
    closed: () => caller.whenClosed(),
    hangUp: () => caller.close(),
  };
}

/** Sends frames one after another: a ZeroMQ socket takes one send at a time, and the fuzz shares it. */
export function oneSendAtATime(send: (frame: Buffer) => Promise<void>): (frame: Buffer) => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  return (frame) => {
    const sent = tail.then(() => send(frame));
    tail = sent.catch(() => undefined);
    return sent;
  };
}

/** A caller straight to a backend, through a fake Mongrel2, on connection `connId`; frames go out through `send`. */
export function mongrel2Line(m2: FakeMongrel2, connId: string, send: (frame: Buffer) => Promise<void>): CallerLine {
  let ended = false;
  const turn = async (result: ReturnType<FakeMongrel2['untilPrompt']>): Promise<string> => {
    const { texts, closed, prompt } = await result;
    ended ||= closed;
    return texts.join('\n') + (prompt?.type === 'prompt' ? prompt.pchar : '');
  };
  const say = async (line: string): Promise<string> => {
    await send(m2.request(connId, JSON.stringify({ type: 'msg', msg: line })));
    return turn(m2.untilPrompt(connId));
  };
  return {
    open: () => say('connect'),
    say,
    closed: async () => {
      if (!ended) await m2.untilPrompt(connId);
    },
    hangUp: () => void send(encodeDisconnect(M2_UUID, connId)).catch(() => undefined),
  };
}
