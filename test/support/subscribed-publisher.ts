/** A real libzmq PUB (zeromq.js) connected to a bound SUB under test, once its subscription is through. */
import { onTestFinished } from 'vitest';
import { Publisher } from 'zeromq';
import { until } from './process-tree.js';

/**
 * Connects a PUB to `endpoint` and sends `probe` until a message shows in `got` (what the SUB's
 * owner collects): a PUB drops what it sends before the subscription reaches it. Closed when the
 * test ends.
 */
export async function subscribedPublisher(endpoint: string, got: readonly unknown[], probe = 'probe'): Promise<Publisher> {
  const pub = new Publisher({ linger: 0 });
  onTestFinished(() => pub.close());
  pub.connect(endpoint);
  await until(async () => {
    await pub.send(probe);
    return got.length > 0 ? true : undefined;
  }, `a message of a libzmq PUB through the subscription (${probe})`);
  return pub;
}
