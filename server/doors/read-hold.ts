/**
 * A door's reading of one caller held while their call is congested (what they sent waits for
 * the backend past its high-water mark, server/backend-link.ts): the rest waits in their own
 * connection (the kernel, TCP), not in the proxy, until the call can take more. Made only for a
 * caller who was once held: an idle caller keeps none.
 */
import type { Socket } from 'node:net';
import type { Call } from '../line.js';

export class ReadHold {
  private held = false;

  /** `call`: the caller's call while it may be read on, undefined once it is closing. */
  constructor(
    private readonly socket: Socket,
    private readonly call: () => Call | undefined,
  ) {}

  /** After handing the call what was read: stops reading while the call is congested. */
  check(): void {
    const call = this.call();
    if (call?.congested === true) this.hold(call);
  }

  /** The line is closing: a caller held is read again, so their side of the close is heard. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.socket.resume();
  }

  private hold(call: Call): void {
    // Paused again even when held: a drain of the caller's output may have resumed reading meanwhile.
    this.socket.pause();
    if (this.held) return;
    this.held = true;
    call.whenClear(() => this.clear());
  }

  private clear(): void {
    this.held = false;
    if (this.socket.destroyed) return;
    const call = this.call();
    if (call?.congested === true) return this.hold(call);
    this.socket.resume();
  }
}
