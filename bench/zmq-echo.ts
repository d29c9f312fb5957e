/**
 * The far end of the raw ZeroMQ baseline, run as its own process as a backend is: PULL connected
 * to the first endpoint, PUB connected to the second, every frame sent straight back; over CURVE
 * when M2BBS_BENCH_CURVE holds its keys.
 */
import { Publisher, Pull } from 'zeromq';

const [pullFrom, pubTo] = process.argv.slice(2);
if (pullFrom === undefined || pubTo === undefined) throw new Error('usage: zmq-echo PULL_ENDPOINT PUB_ENDPOINT');
// With CURVE the keys come in the environment (never on the command line, where ps shows them).
const curve = process.env.M2BBS_BENCH_CURVE === undefined ? {} : (JSON.parse(process.env.M2BBS_BENCH_CURVE) as { curveServerKey: string; curvePublicKey: string; curveSecretKey: string });
const pull = new Pull(curve);
const pub = new Publisher(curve);
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
