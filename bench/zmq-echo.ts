/**
 * The far end of the raw ZeroMQ baseline, run as its own process as a backend is: PULL connected
 * to the first endpoint, PUB connected to the second, every frame sent straight back.
 */
import { Publisher, Pull } from 'zeromq';

const [pullFrom, pubTo] = process.argv.slice(2);
if (pullFrom === undefined || pubTo === undefined) throw new Error('usage: zmq-echo PULL_ENDPOINT PUB_ENDPOINT');
const pull = new Pull();
const pub = new Publisher();
pull.linger = 0;
pub.linger = 0;
pull.connect(pullFrom);
pub.connect(pubTo);
process.on('SIGTERM', () => {
  pull.close();
  pub.close();
});
try {
  for await (const [frame] of pull) if (frame !== undefined) await pub.send(frame);
} catch (error) {
  if (!pull.closed) throw error;
}
