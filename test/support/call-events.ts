/** Collects a BbsCall's events and waits for the one a test expects. */
import type { CallEvent } from '../../client/bbs-call.js';

/** A BbsCall's events, in order, with waits for the next one wanted. */
export class CallEvents {
  readonly all: CallEvent[] = [];
  private wake: (() => void) | undefined;

  readonly push = (event: CallEvent): void => {
    this.all.push(event);
    this.wake?.();
  };

  /** Resolves with the first event (from `from` on) that matches. */
  async until(match: (event: CallEvent) => boolean, from = 0): Promise<CallEvent> {
    for (;;) {
      const found = this.all.slice(from).find(match);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The next prompt after `from`. */
  prompt(from = this.all.length): Promise<CallEvent> {
    return this.until((event) => event.kind === 'prompt', from);
  }

  /** How the call ended. */
  async ended(): Promise<string> {
    const event = await this.until((e) => e.kind === 'ended');
    return event.kind === 'ended' ? event.how : '';
  }

  /** Modem lines, BBS text and problems as a transcript. */
  lines(): string[] {
    return this.all.flatMap((event) => {
      if (event.kind === 'modem') return [`modem: ${event.text}`];
      if (event.kind === 'text') return [`${event.tone}: ${event.text}`];
      if (event.kind === 'prompt') return [`prompt: ${event.msg} [${event.pchar}]${event.echo ? '' : ' (secret)'}`];
      return [];
    });
  }
}
