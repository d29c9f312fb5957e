import { Pull, Push } from 'zeromq';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MAX_PARTS, SendQueue } from '../common/send-queue.js';

// A real PUSH/PULL pair on a loopback port: what the queue hands ZeroMQ is what arrives.
async function pair(): Promise<{ push: Push; messages: () => Promise<string[]> }> {
  const pull = new Pull();
  const push = new Push();
  pull.linger = 0;
  push.linger = 0;
  await pull.bind('tcp://127.0.0.1:*');
  push.connect(pull.lastEndpoint as string);
  onTestFinished(() => {
    push.close();
    pull.close();
  });
  return { push, messages: async () => (await pull.receive()).map((part) => part.toString()) };
}

const noErrors = (error: unknown): void => {
  throw error;
};

describe('send queue', () => {
  it('sends the frames of one turn as the parts of one message, in order', async () => {
    const { push, messages } = await pair();
    const queue = new SendQueue(push, Promise.resolve(), noErrors, { multipart: true });
    for (const frame of ['one', 'two', 'three']) queue.push(Buffer.from(frame));
    expect(await messages()).toEqual(['one', 'two', 'three']);
    queue.push(Buffer.from('next turn'));
    expect(await messages()).toEqual(['next turn']);
  });

  it('never puts frames of two groups in one message, and splits a long run', async () => {
    const { push, messages } = await pair();
    const queue = new SendQueue(push, Promise.resolve(), noErrors, { multipart: true });
    queue.push(Buffer.from('a1'), 'server-a');
    queue.push(Buffer.from('a2'), 'server-a');
    queue.push(Buffer.from('b1'), 'server-b');
    queue.push(Buffer.from('a3'), 'server-a');
    expect(await messages()).toEqual(['a1', 'a2']);
    expect(await messages()).toEqual(['b1']);
    expect(await messages()).toEqual(['a3']);

    const many = Array.from({ length: MAX_PARTS + 3 }, (_, i) => `frame ${i}`);
    for (const frame of many) queue.push(Buffer.from(frame));
    const first = await messages();
    const rest = await messages();
    expect(first).toHaveLength(MAX_PARTS);
    expect([...first, ...rest]).toEqual(many);
  });

  it('without multipart sends one frame a message, as Mongrel2 does', async () => {
    const { push, messages } = await pair();
    const queue = new SendQueue(push, Promise.resolve(), noErrors);
    for (const frame of ['one', 'two']) queue.push(Buffer.from(frame));
    expect(await messages()).toEqual(['one']);
    expect(await messages()).toEqual(['two']);
    await queue.drain();
    expect(queue.length).toBe(0);
  });
});
