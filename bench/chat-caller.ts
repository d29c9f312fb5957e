/**
 * One caller of the chat bench, over a JSON socket to a named number: it logs in (walk.ts reads
 * each prompt), types `C` at the main menu, and once in the room says a tagged line now and then,
 * on its own schedule: it does not wait for the prompt after its last line (a BBS that falls
 * behind would otherwise slow the callers down and hide its own delay), and takes each prompt in
 * the room as the answer to its oldest line waiting. Every `event` it is sent goes to the tally,
 * with the time it arrived.
 */
import { connect, type Socket } from 'node:net';
import { chatLine, readEvent } from './chat-tags.js';
import type { ChatTally } from './chat-tally.js';
import { ReplyStream, type JsonReply } from './reply-stream.js';
import { classify, type Walk } from './walk.js';

// The notice a caller gets for room events its backend dropped (screens/chat_missed.txt).
const MISSED = /^-- (\d+) lines missed --$/;

/** The main menu's key for the chat room (DECISION 8). */
export const CHAT_KEY = 'C';
/** What every caller's socket reads into; ReplyStream copies what it keeps past a read. */
const READ_BUFFER = Buffer.alloc(256 * 1024);
/** The room's flood refusal (screens/chat_flood.txt): the line was told, not relayed. */
const REFUSED = /not sent/i;

export interface ChatPlan {
  /** Mean pause between lines in ms (each drawn from 0.5 to 1.5 times it). */
  readonly thinkMs: number;
  readonly now: () => number;
  readonly random: () => number;
  readonly error: (kind: string) => void;
}

export class ChatCaller {
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private askedForChat = false;
  private talking = false;
  private stopping = false;
  /** Lines said in the room that wait for their prompt, oldest first. */
  private readonly pending: number[] = [];
  /** Lines said so far; the next line's number. */
  lines = 0;
  /** When the login answer (or `C`) awaiting its prompt was typed; -1 when none is. */
  sentAt = -1;
  atMenu = false;
  /** When it was first shown the chat room's prompt; -1 until then. */
  inRoomAt = -1;
  closed = false;
  /** How the call ended, when the BBS (or the line) ended it. */
  lost: string | undefined;

  constructor(
    readonly index: number,
    private readonly walk: Walk,
    /** The number it dials (`@bbs.10`). */
    readonly route: string,
    private readonly plan: ChatPlan,
    private readonly tally: ChatTally,
  ) {}

  get inRoom(): boolean {
    return this.inRoomAt >= 0 && this.lost === undefined;
  }

  /** Lines it said that have had no prompt yet (0 for a caller whose call ended). */
  get waiting(): number {
    return this.lost === undefined ? this.pending.length + (this.sentAt >= 0 ? 1 : 0) : 0;
  }

  dial(host: string, port: number): void {
    const stream = new ReplyStream();
    // Every socket reads into one buffer, handed over at once (no stream, no Buffer per read):
    // a thousand callers are sent a hundred thousand events a second, and the bench must stay cheap.
    const onread = {
      buffer: READ_BUFFER,
      callback: (n: number, buffer: Uint8Array): boolean => {
        stream.push(Buffer.from(buffer.buffer, buffer.byteOffset, n), (reply) => this.reply(reply), (what) => this.plan.error(what));
        return true;
      },
    };
    const socket = connect({ host, port, noDelay: true, onread });
    this.socket = socket;
    socket.on('connect', () => this.write('connect'));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(this.timer);
      this.closed = true;
      if (!this.stopping && this.lost === undefined) this.lose('line closed without a word');
    });
  }

  /** Starts saying lines: the first after a pause drawn from 0 to one mean pause, so the room's rate is even from the start. */
  startTalking(): void {
    if (this.talking || this.stopping) return;
    this.talking = true;
    this.schedule(this.plan.thinkMs * this.plan.random());
  }

  /** Says one line now (the settling probe); the line's number, or undefined when it cannot. */
  sayNow(): number | undefined {
    if (this.stopping || this.closed || this.inRoomAt < 0) return undefined;
    this.say();
    return this.lines - 1;
  }

  /** Says nothing more; a line it waits on is still answered. */
  stop(): void {
    this.stopping = true;
    clearTimeout(this.timer);
  }

  hangUp(): void {
    this.stop();
    this.socket?.destroy();
  }

  private reply(reply: JsonReply): void {
    const at = this.plan.now();
    const event = readEvent(reply);
    if (event !== undefined) {
      this.tally.event(event.kind);
      // Room events the backend dropped for this caller and said so (`-- N lines missed --`):
      // beside the lost deliveries, this tells the backend's queue from the bus dropping.
      const missed = event.kind === 'notice' && typeof reply.msg === 'string' ? MISSED.exec(reply.msg) : null;
      if (missed !== null) this.tally.event('missed, told', Number(missed[1]));
      if (event.tag !== undefined) this.tally.received(this.index, event.tag, at);
      return;
    }
    const msg = typeof reply.msg === 'string' ? reply.msg : '';
    const oldest = this.pending[0];
    if (reply.type === 'screen' && oldest !== undefined && REFUSED.test(msg)) return this.tally.refused(this.index, oldest);
    if (reply.type === 'exit' || reply.type === 'busy') this.lose(`${reply.type}: ${msg.slice(0, 60)}`);
    else if (reply.type === 'prompt') this.prompt(reply, msg);
  }

  private prompt(reply: JsonReply, msg: string): void {
    const pchar = typeof reply.pchar === 'string' ? reply.pchar : '> ';
    const kind = classify({ text: msg === '' ? pchar : `${msg}\n${pchar}`, echo: reply.echo !== false });
    const answered = this.sentAt >= 0;
    this.sentAt = -1;
    if (this.askedForChat) {
      // Whatever the room's prompt says, any prompt but the menu's after `C` is the room.
      if (kind === 'menu') return this.fail(this.inRoomAt < 0 ? 'the main menu again after C (no chat room?)' : 'back at the main menu from the chat room');
      if (this.inRoomAt < 0) this.inRoomAt = this.plan.now();
      // The first prompt in the room answers `C`; each one after answers the oldest line waiting
      // (a prompt shown again with none waiting answers nothing).
      if (answered) return;
      const line = this.pending.shift();
      if (line !== undefined) this.tally.acked(this.index, line, this.plan.now());
      return;
    }
    if (kind === 'menu') {
      this.atMenu = true;
      this.askedForChat = true;
      return this.write(CHAT_KEY);
    }
    const line = this.walk.answer(kind);
    if (line === undefined) return this.fail(`unrecognised prompt while logging in: ${JSON.stringify(`${msg}${pchar}`.slice(-60))}`);
    this.write(line);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.say(), ms);
  }

  private say(): void {
    if (this.stopping || this.closed) return;
    const line = this.lines++;
    this.tally.said(this.index, line, this.plan.now());
    this.pending.push(line);
    this.send(chatLine(this.index, line, this.walk.name));
    if (this.talking) this.schedule(this.plan.thinkMs * (0.5 + this.plan.random()));
  }

  /** A login answer, or `C`: one at a time, each answered by the next prompt. */
  private write(line: string): void {
    this.sentAt = this.plan.now();
    this.send(line);
  }

  private send(line: string): void {
    if (this.closed) return;
    this.socket?.write(`${this.route} ${JSON.stringify({ type: 'msg', msg: line })}\0`);
  }

  private fail(kind: string): void {
    this.plan.error(kind);
    this.lose(kind);
    this.hangUp();
  }

  private lose(why: string): void {
    if (this.lost !== undefined) return;
    this.lost = why;
    this.tally.leave(this.index);
  }
}
