/**
 * Feeds one ZeroMQ socket from one queue: zeromq.js allows a single pending `send()` per
 * socket, and frames must leave in the order they were queued. With `multipart`, the frames
 * queued in one turn of the event loop leave together as the parts of one ZeroMQ message, each
 * part a whole frame: one send, one wake-up of the I/O threads on both sides, instead of one per
 * frame. A Mongrel2 server receives each part as a message of its own, so replies batched this
 * way are still the handler protocol.
 */
export interface FrameSink {
  send(message: Buffer | Buffer[]): Promise<void>;
  /** Sends at once when it can without waiting (true), as ZMTP in Node can to a connected peer; false leaves it to `send`. */
  trySend?(message: Buffer): boolean;
}

export interface SendQueueOptions {
  /** Send what is queued in one turn as one multipart message (default: one message per frame). */
  readonly multipart?: boolean;
  /** Told each time a message has left the queue (its bytes no longer counted in `bytes`). */
  readonly sent?: () => void;
}

const EMPTY = Buffer.alloc(0);

/** The most frames one multipart message carries; the rest follow in the next. */
export const MAX_PARTS = 256;

export class SendQueue {
  private frames: Buffer[] = [];
  // Frames of different groups (a reply's server UUID) never share a message: a SUB filters a
  // multipart message by its first part.
  private groups: string[] = [];
  private head = 0;
  private pumping: Promise<void> | undefined;
  private readonly multipart: boolean;
  private queuedBytes = 0;

  constructor(
    private readonly sink: FrameSink,
    private readonly ready: Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly options: SendQueueOptions = {},
  ) {
    this.multipart = options.multipart ?? false;
  }

  /** Frames queued and not yet handed to the socket. */
  get length(): number {
    return this.frames.length - this.head;
  }

  /** Bytes of the frames queued and not yet taken by the socket (the message being sent included). */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** Queues a frame; it is sent once the socket is ready and every earlier frame is sent. */
  push(frame: Buffer, group = ''): void {
    // Nothing waiting before it, one message per frame, and a sink that takes it now: no queue, no promise.
    if (this.pumping === undefined && !this.multipart && this.sink.trySend?.(frame) === true) return;
    this.frames.push(frame);
    this.groups.push(group);
    this.queuedBytes += frame.length;
    this.pumping ??= this.pump();
  }

  /** Resolves once every frame queued so far has been handed to the socket. */
  async drain(): Promise<void> {
    while (this.pumping !== undefined) await this.pumping;
  }

  private async pump(): Promise<void> {
    await this.ready;
    // Everything the rest of this turn queues (the replies to every request received in it)
    // goes in the same message.
    if (this.multipart) await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.head < this.frames.length) {
      const start = this.head;
      this.head += this.multipart ? this.batchLength(start) : 1;
      const message = this.head - start === 1 ? (this.frames[start] as Buffer) : this.frames.slice(start, this.head);
      let bytes = 0;
      // A frame taken is let go of here, not when the queue next empties: a queue kept busy (a
      // flood) would otherwise hold up to 1024 frames already sent.
      for (let taken = start; taken < this.head; taken++) {
        bytes += (this.frames[taken] as Buffer).length;
        this.frames[taken] = EMPTY;
      }
      // A queue that grew while the socket could not send (no backend connected) is compacted
      // as it empties, not shifted frame by frame.
      if (this.head > 1024 && this.head * 2 > this.frames.length) {
        this.frames = this.frames.slice(this.head);
        this.groups = this.groups.slice(this.head);
        this.head = 0;
      }
      try {
        await this.sink.send(message);
      } catch (error) {
        this.onError(error);
      }
      this.queuedBytes -= bytes;
      this.options.sent?.();
    }
    this.frames = [];
    this.groups = [];
    this.head = 0;
    this.pumping = undefined;
  }

  private batchLength(start: number): number {
    const group = this.groups[start];
    const end = Math.min(this.groups.length, start + MAX_PARTS);
    let next = start + 1;
    while (next < end && this.groups[next] === group) next++;
    return next - start;
  }
}
