/**
 * Feeds one ZeroMQ socket from one queue: zeromq.js allows a single pending `send()` per
 * socket, and frames must leave in the order they were queued.
 */
export interface FrameSink {
  send(frame: Buffer): Promise<void>;
}

export class SendQueue {
  private frames: Buffer[] = [];
  private head = 0;
  private pumping: Promise<void> | undefined;

  constructor(
    private readonly sink: FrameSink,
    private readonly ready: Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Frames queued and not yet handed to the socket. */
  get length(): number {
    return this.frames.length - this.head;
  }

  /** Queues a frame; it is sent once the socket is ready and every earlier frame is sent. */
  push(frame: Buffer): void {
    this.frames.push(frame);
    this.pumping ??= this.pump();
  }

  /** Resolves once every frame queued so far has been handed to the socket. */
  async drain(): Promise<void> {
    while (this.pumping !== undefined) await this.pumping;
  }

  private async pump(): Promise<void> {
    await this.ready;
    while (this.head < this.frames.length) {
      const frame = this.frames[this.head] as Buffer;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.frames.length) {
        this.frames = this.frames.slice(this.head);
        this.head = 0;
      }
      try {
        await this.sink.send(frame);
      } catch (error) {
        this.onError(error);
      }
    }
    this.frames = [];
    this.head = 0;
    this.pumping = undefined;
  }
}
