/** The receiving half of the handler protocol over ZeroMQ: every part of a message is one whole frame. */

/**
 * Hands each frame a socket receives to `onFrame`, in order, until the socket closes; a
 * multipart message (a batch from an m2bbs peer) is several frames, a Mongrel2 message one;
 * `part` is a frame's place in its message.
 */
export async function receiveFrames(socket: AsyncIterable<Buffer[]>, onFrame: (frame: Buffer, part: number) => void): Promise<void> {
  for await (const parts of socket) {
    for (let part = 0; part < parts.length; part++) onFrame(parts[part] as Buffer, part);
  }
}
