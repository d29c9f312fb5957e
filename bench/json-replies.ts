/** Turns the JSON replies of a Mongrel2-protocol BBS into what a simulated caller reacts to. */
import type { WireEvents } from './caller.js';
import type { JsonReply } from './reply-stream.js';

const BUSY_NOTICE = /\.\.\. BUSY$|All lines are busy/;

/** Hands one reply to `events`: prompts, busy signals and the BBS's last words; screens need nothing. */
export function handleJsonReply(reply: JsonReply, events: WireEvents): void {
  events.replied();
  const msg = typeof reply.msg === 'string' ? reply.msg : '';
  switch (reply.type) {
    case 'prompt': {
      const pchar = typeof reply.pchar === 'string' ? reply.pchar : '> ';
      return events.prompt({ text: msg === '' ? pchar : `${msg}\n${pchar}`, echo: reply.echo !== false });
    }
    case 'busy':
      return events.busy();
    case 'exit':
      return events.exit(msg);
    case 'notice':
      if (BUSY_NOTICE.test(msg)) events.busy();
      return;
    default:
      return;
  }
}
