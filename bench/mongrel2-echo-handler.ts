/**
 * A foreign Mongrel2 handler, as anyone would write one against Mongrel2's docs and nothing of
 * m2bbs's: PULL connected to the send_spec, PUB connected to the recv_spec, one message read and
 * one reply sent per request, the same constant prompt every time (it reads as a main menu, so the
 * bench's callers press Enter at it again and again). Disconnect notices get no reply.
 */
import { Publisher, Pull } from 'zeromq';

const [sendSpec, recvSpec] = process.argv.slice(2);
if (sendSpec === undefined || recvSpec === undefined) throw new Error('usage: mongrel2-echo-handler SEND_SPEC RECV_SPEC');
const BODY = JSON.stringify({ type: 'prompt', msg: 'Main menu (echo handler): press Enter.', pchar: '> ' });

const pull = new Pull();
const pub = new Publisher();
pull.linger = 0;
pub.linger = 0;
pull.connect(sendSpec);
pub.connect(recvSpec);
process.on('SIGTERM', () => {
  pull.close();
  pub.close();
});

/** `UUID SIZE:ID, BODY` for the request `UUID ID PATH SIZE:HEADERS,SIZE:BODY,`; undefined for a disconnect. */
function replyTo(request: Buffer): string | undefined {
  const text = request.toString('latin1');
  const first = text.indexOf(' ');
  const second = text.indexOf(' ', first + 1);
  const third = text.indexOf(' ', second + 1);
  if (first < 0 || second < 0 || third < 0) return undefined;
  if (text.slice(second + 1, third) === '@*') return undefined;
  const id = text.slice(first + 1, second);
  return `${text.slice(0, first)} ${id.length}:${id}, ${BODY}`;
}

try {
  for await (const [request] of pull) {
    const reply = request === undefined ? undefined : replyTo(request);
    if (reply !== undefined) await pub.send(reply);
  }
} catch (error) {
  if (!pull.closed) throw error;
}
