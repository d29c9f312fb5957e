/**
 * One caller of the chat bench, over a JSON socket to a named number: it logs in (walk.ts reads
 * each prompt), types `C` at the main menu, and once in the room says a tagged line now and then
 * (one at a time: the next only after the BBS has answered the last with its prompt). Every
 * `event` it is sent goes to the tally, with the time it arrived.
 */
import { connect, type Socket } from 'node:net';
import { chatLine, readEvent } from './chat-tags.js';
import type { ChatTally } from './chat-tally.js';
import { ReplyStream, type JsonReply } from './reply-stream.js';
import { classify, type Walk } from './walk.js';

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
  /** A line of the room waits for its prompt (not `C`, not a login answer). */
  private saying = false;
  /** Lines said so far; the next line's number. */
  lines = 0;
  /** When the line awaiting its prompt was typed; -1 when none is. */
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
    if (this.sentAt < 0) this.schedule(this.plan.thinkMs * this.plan.random());
  }

  /** Says one line now, unless a line of its waits for its prompt; the line's number, or undefined. */
  sayNow(): number | undefined {
    if (this.stopping || this.closed || this.sentAt >= 0 || this.inRoomAt < 0) return undefined;
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
      if (event.tag !== undefined) this.tally.received(this.index, event.tag, at);
      return;
    }
    const msg = typeof reply.msg === 'string' ? reply.msg : '';
    if (reply.type === 'screen' && this.inRoomAt >= 0 && this.sentAt >= 0 && REFUSED.test(msg)) return this.tally.refused(this.index, this.lines - 1);
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
      if (answered && this.saying) {
        this.saying = false;
        this.tally.acked(this.index, this.lines - 1, this.plan.now());
      }
      // A prompt shown again with no line waiting (after an event, say) answers nothing: the
      // pause before the next line is already running.
      if (answered && this.talking && !this.stopping) this.schedule(this.plan.thinkMs * (0.5 + this.plan.random()));
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
    if (this.stopping || this.closed || this.sentAt >= 0) return;
    const line = this.lines++;
    const at = this.plan.now();
    this.tally.said(this.index, line, at);
    this.saying = true;
    this.write(chatLine(this.index, line, this.walk.name));
  }

  private write(line: string): void {
    if (this.closed) return;
    this.sentAt = this.plan.now();
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
