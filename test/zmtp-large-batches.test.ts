import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PARTS } from '../common/send-queue.js';
import { ZmtpSub } from '../common/zmtp/zmtp-sockets.js';
import { until } from './support/process-tree.js';
import { subscribedPublisher } from './support/subscribed-publisher.js';

// An m2bbs backend's replies: multipart messages of up to 256 parts from libzmq (zeromq.js), some large.
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('ZMTP in Node SUB with a libzmq PUB sending reply batches', () => {
  it('reads batches of 256 parts, of 1 KB and of 100 KB each (25 MB in one message), every byte in place', async () => {
    const sub = new ZmtpSub();
    const got: Buffer[][] = [];
    sub.onMessage = (parts) => got.push(parts);
    await sub.bind('tcp://127.0.0.1:*');
    closers.push(() => sub.close());
    const pub = await subscribedPublisher(sub.lastEndpoint as string, got);
    const batch = (size: number): Buffer[] => Array.from({ length: MAX_PARTS }, (_, i) => Buffer.alloc(size, i % 251));
    await pub.send(batch(1000));
    await pub.send(batch(100_000));
    await pub.send('last');
    await until(() => (got.at(-1)?.[0]?.toString() === 'last' ? true : undefined), 'both batches and the last message');
    const batches = got.filter((parts) => parts.length === MAX_PARTS);
    expect(batches.map((parts) => parts.map((p) => p.length)[0])).toEqual([1000, 100_000]);
    for (const parts of batches) parts.forEach((part, i) => expect(part.equals(Buffer.alloc(part.length, i % 251))).toBe(true));
  });
});
