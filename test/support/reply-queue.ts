/** Replies a test caller has received, read a turn at a time: up to the next prompt or the close. */

export type JsonReply = { readonly type: string; readonly msg: string; readonly pchar?: string; readonly echo?: boolean };

export interface Turn {
  readonly texts: string[];
  readonly prompt: JsonReply | undefined;
  readonly closed: boolean;
}

export class ReplyQueue {
  private readonly replies: JsonReply[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(...replies: JsonReply[]): void {
    this.replies.push(...replies);
    this.poke();
  }

  /** The line closed: turns waiting on more replies end. */
  end(): void {
    this.ended = true;
    this.poke();
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Collects replies up to and including the next prompt, or until the line closes. */
  async untilPrompt(): Promise<Turn> {
    const texts: string[] = [];
    for (;;) {
      const reply = this.replies.shift();
      if (reply !== undefined) {
        texts.push(reply.msg);
        if (reply.type === 'prompt') return { texts, prompt: reply, closed: false };
        continue;
      }
      if (this.ended) return { texts, prompt: undefined, closed: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Resolves once the line has closed. */
  async whenClosed(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  private poke(): void {
    this.wake?.();
    this.wake = undefined;
  }
}
