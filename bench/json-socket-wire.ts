/** Calling over Mongrel2's JSON-socket protocol: `@route {"type":"msg","msg":LINE}\0` out, base64 JSON in. */
import { connect } from 'node:net';
import type { Dial, Wire, WireEvents } from './caller.js';
import { handleJsonReply } from './json-replies.js';
import { ReplyStream } from './reply-stream.js';

/** Dials `route` at host:port; the first line sent is `connect`, as the original client does. */
export function jsonSocketDial(host: string, port: number, route: string): Dial {
  return (events: WireEvents): Wire => {
    const socket = connect({ host, port, noDelay: true });
    const stream = new ReplyStream();
    const send = (line: string): void => void socket.write(`${route} ${JSON.stringify({ type: 'msg', msg: line })}\0`);
    const onReply = (reply: Parameters<typeof handleJsonReply>[0]): void => handleJsonReply(reply, events);
    const onError = (what: string): void => events.error(what);
    let failure: string | undefined;
    socket.on('connect', () => {
      events.connected();
      send('connect');
    });
    socket.on('data', (chunk: Buffer) => stream.push(chunk, onReply, onError));
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = `json socket: ${error.code ?? error.message}`));
    socket.on('close', () => events.closed(failure));
    return { sendLine: send, hangUp: () => void socket.destroy(), stopReading: () => void socket.pause() };
  };
}
