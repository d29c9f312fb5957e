/** The receiving half of the handler protocol over ZeroMQ: every part of a message is one whole frame. */

/**
 * Hands each frame a socket receives to `onFrame`, in order, until the socket closes; a
 * multipart message (a batch from an m2bbs peer) is several frames, a Mongrel2 message one.
 */
export async function receiveFrames(socket: AsyncIterable<Buffer[]>, onFrame: (frame: Buffer) => void): Promise<void> {
  for await (const parts of socket) {
    for (const frame of parts) onFrame(frame);
  }
}
