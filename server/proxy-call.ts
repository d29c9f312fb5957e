/** A caller's call as the doors hold it: what they send goes to the backend, moving or dialling. */
import type { Logger } from '../common/log.js';
import { encodeDisconnect } from '../common/mongrel2-wire.js';
import type { CallDialler } from './call-dialler.js';
import type { CallMover } from './call-mover.js';
import { MAX_DIALLING_BYTES, type CallState } from './call-state.js';
import type { Call } from './line.js';

/** What a call needs of the switchboard. */
export interface CallContext {
  readonly uuid: string;
  readonly log: Logger;
  readonly answerTimeoutMs: number;
  readonly mover: Pick<CallMover, 'typedWhileMoving'>;
  readonly attempt: CallDialler['attempt'];
  readonly unanswered: CallDialler['unanswered'];
  unregister(state: CallState): void;
  request(state: CallState, body: Buffer | string, seq: number): Buffer;
  /** True while the call holds its connection id. */
  registered(state: CallState): boolean;
}

// One per caller for the whole call, so its methods live on a class rather than in closures
// made per call (run through tsx, each named closure also carries a ~250-byte property table).
export class ProxyCall implements Call {
  constructor(
    private readonly state: CallState,
    private readonly ctx: CallContext,
  ) {}

  get id(): string {
    return this.state.id;
  }

  get number(): string {
    return this.state.link.spec.number;
  }

  send(body: Buffer | string): void {
    const { state } = this;
    if (state.ended) return;
    state.seq++;
    state.atPrompt = false;
    if (state.movingSince !== undefined) return this.ctx.mover.typedWhileMoving(state, Buffer.from(body));
    if (state.connected) {
      state.window?.push(state.seq, Buffer.isBuffer(body) ? body : Buffer.from(body));
      // Only an m2bbs backend (the batching ones) is sure to answer a call's first line at once;
      // another Mongrel2 handler may rightly stay quiet until its caller speaks.
      if (!state.announced && state.timer === undefined && state.link.spec.batch === true) state.timer = setTimeout(this.ctx.unanswered, this.ctx.answerTimeoutMs, state).unref();
      return state.link.send(this.ctx.request(state, body, state.seq));
    }
    if (state.first !== undefined) {
      const typed = Buffer.from(body);
      state.queuedBytes += typed.length;
      return void (state.queued ??= []).push(typed);
    }
    state.first = Buffer.from(body);
    this.ctx.attempt(state);
  }

  sendLine(text: string): void {
    this.send(JSON.stringify({ type: 'msg', msg: text }));
  }

  get congested(): boolean {
    const { state } = this;
    // A moving call keeps what it is sent in its resend window, bounded, and drops past it.
    if (state.ended || state.movingSince !== undefined) return false;
    if (!state.connected) return state.queuedBytes > MAX_DIALLING_BYTES || state.link.congested;
    return state.link.congested;
  }

  whenClear(wake: () => void): void {
    const { state } = this;
    if (!this.congested) return wake();
    // Dialling: woken once the call goes through (or ends), when what was typed meanwhile has been sent.
    if (!state.connected && state.queuedBytes > MAX_DIALLING_BYTES) return void (state.held = wake);
    state.link.whenClear(wake);
  }

  leave(): void {
    const { state } = this;
    if (state.ended) return;
    state.ended = true;
    clearTimeout(state.timer);
    if (!this.ctx.registered(state)) return;
    this.ctx.unregister(state);
    state.link.send(encodeDisconnect(this.ctx.uuid, state.id));
    this.ctx.log.info('caller left', { conn: state.id, backend: state.link.spec.number });
  }
}

