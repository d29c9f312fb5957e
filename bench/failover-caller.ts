/**
 * One caller of the failover soak, over a JSON socket: it walks the menu (failover-walk.ts) and
 * notes what a person would notice when a backend dies under it: the `-- line moved --` notice,
 * how long its line waited for the next prompt, a line that closed or said NO CARRIER.
 */
import { connect, type Socket } from 'node:net';
import type { JsonReply } from './reply-stream.js';
import { ReplyStream } from './reply-stream.js';
import type { FailoverWalk } from './failover-walk.js';
import { classify } from './walk.js';

const MOVED = /^-- line moved to (@\S+) --$/;

/** What every caller of a soak adds to. */
export interface FailoverTally {
  /** A prompt answered a line typed at `sentAt`; `movedAt`: the first move notice since the prompt before, if one came. */
  answered(sentAt: number, at: number, movedAt: number | undefined): void;
  /** A `-- line moved --` notice arrived. */
  moved(at: number): void;
  error(kind: string): void;
  /**
   * An answer that should not have come: a prompt with no line waiting and no move notice
   * before it (an input answered twice), or a prompt whose ack is not the line typed last.
   */
  unexpected?(what: string): void;
  /** A numbered line was sent again after a silence. */
  resent?(): void;
}

export interface FailoverPlan {
  readonly thinkMs: number;
  readonly now: () => number;
  readonly random: () => number;
  /**
   * Behind a real Mongrel2 with several handlers: number each input in the body (`"seq":N`, as
   * the proxy's SEQ header does), skip a prompt acking an older one (shown again by a handler
   * that took the call over), and send the last input again after this many ms without a word.
   */
  readonly resendAfterMs?: number;
}

export class FailoverCaller {
  /** Inputs sent (the proxy numbers them the same way: `connect` is 1). */
  private inputs = 0;
  /** When the line awaiting its prompt was typed; -1 when none is. */
  sentAt = -1;
  private movedAt: number | undefined;
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resendTimer: NodeJS.Timeout | undefined;
  private lastFrame = '';
  private resends = 0;
  private stopping = false;
  closed = false;
  /** How the call ended, when the BBS ended it: NO CARRIER, an exit, or a line closed without a word. */
  lost: string | undefined;
  atMenu = false;
  moves = 0;

  constructor(
    readonly walk: FailoverWalk,
    private readonly plan: FailoverPlan,
    private readonly tally: FailoverTally,
  ) {}

  /** True while a line it typed has had no answer. */
  get waiting(): boolean {
    return this.sentAt >= 0;
  }

  dial(host: string, port: number): void {
    const socket = connect({ host, port, noDelay: true });
    this.socket = socket;
    const stream = new ReplyStream();
    socket.on('connect', () => this.send('connect'));
    socket.on('data', (chunk: Buffer) => stream.push(chunk, (reply) => this.reply(reply), (what) => this.tally.error(what)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(this.timer);
      clearTimeout(this.resendTimer);
      this.closed = true;
      if (!this.stopping && this.lost === undefined) this.lost = 'line closed without a word';
    });
  }

  /** Types nothing more; the line it waits on (if any) is still answered. */
  stop(): void {
    this.stopping = true;
    clearTimeout(this.timer);
    if (!this.waiting) clearTimeout(this.resendTimer);
  }

  hangUp(): void {
    this.stop();
    this.socket?.destroy();
  }

  private reply(reply: JsonReply): void {
    if (this.waiting) this.armResend();
    const msg = typeof reply.msg === 'string' ? reply.msg : '';
    const at = this.plan.now();
    switch (reply.type) {
      case 'screen':
        return this.walk.shown(msg);
      case 'notice': {
        if (!MOVED.test(msg)) return;
        this.moves++;
        this.movedAt ??= at;
        this.tally.moved(at);
        return;
      }
      case 'exit':
        if (!this.stopping) this.lost = msg.slice(0, 80);
        return;
      case 'prompt':
        return this.prompt(reply, msg, at);
    }
  }

  private prompt(reply: JsonReply, msg: string, at: number): void {
    const seq = typeof reply.seq === 'number' ? reply.seq : undefined;
    const numbered = this.plan.resendAfterMs !== undefined;
    // Numbered: an older prompt shown again by a handler that took the call over, or the answer
    // to a line sent twice, coming a second time.
    if (numbered && seq !== undefined && (seq < this.inputs || (this.sentAt < 0 && this.resends > 0 && seq === this.inputs))) return;
    if (this.sentAt < 0) {
      // A moved caller who was not waiting is shown its prompt again after the notice.
      if (this.movedAt === undefined && !this.stopping && !this.closed) this.tally.unexpected?.('a prompt with no line waiting');
      this.movedAt = undefined;
      return;
    }
    // After a move the prompt the caller was at may be shown again before the answer to the line
    // waiting (sent again by the proxy): it acknowledges less than that line.
    if (this.movedAt !== undefined && seq !== undefined && seq < this.inputs) return;
    if (seq !== undefined && seq !== this.inputs) this.tally.unexpected?.(`a prompt acknowledging input ${seq} after input ${this.inputs}`);
    this.tally.answered(this.sentAt, at, this.movedAt);
    clearTimeout(this.resendTimer);
    this.sentAt = -1;
    this.movedAt = undefined;
    const pchar = typeof reply.pchar === 'string' ? reply.pchar : '> ';
    const kind = classify({ text: msg === '' ? pchar : `${msg}\n${pchar}`, echo: reply.echo !== false });
    if (kind === 'menu') this.atMenu = true;
    if (this.stopping) return;
    const line = this.walk.answer(kind);
    if (line === undefined) {
      this.tally.error(`unrecognised prompt: ${JSON.stringify(`${msg}${pchar}`.slice(-60))}`);
      this.hangUp();
      return;
    }
    const think = this.plan.thinkMs;
    if (think === 0) return this.send(line);
    this.timer = setTimeout(() => this.send(line), think * (0.5 + this.plan.random()));
  }

  private send(line: string): void {
    if (this.stopping || this.closed) return;
    this.inputs++;
    this.resends = 0;
    this.sentAt = this.plan.now();
    const body = this.plan.resendAfterMs === undefined ? { type: 'msg', msg: line } : { type: 'msg', msg: line, seq: this.inputs };
    this.lastFrame = `@bbs ${JSON.stringify(body)}\0`;
    this.socket?.write(this.lastFrame);
    this.armResend();
  }

  private armResend(): void {
    const ms = this.plan.resendAfterMs;
    if (ms === undefined) return;
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => {
      if (!this.waiting || this.closed) return;
      this.resends++;
      this.tally.resent?.();
      this.socket?.write(this.lastFrame);
      this.armResend();
    }, ms);
  }
}
