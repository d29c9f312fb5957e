/** Calling as the page does: a WebSocket at /ws, JSON text frames each way; the proxy dials for us. */
import WebSocket from 'ws';
import type { Dial, Wire, WireEvents } from './caller.js';
import { handleJsonReply } from './json-replies.js';
import type { JsonReply } from './reply-stream.js';

/** Opens `ws://host:port/ws` for `route`. */
export function webSocketDial(host: string, port: number, route: string): Dial {
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}/ws${route === '@bbs' ? '' : `?route=${encodeURIComponent(route)}`}`;
  return (events: WireEvents): Wire => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let failure: string | undefined;
    ws.on('open', () => events.connected());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return events.error('websocket: binary message');
      let reply: unknown;
      try {
        reply = JSON.parse(data.toString());
      } catch {
        return events.error('websocket: a message that is not JSON');
      }
      if (typeof reply === 'object' && reply !== null) handleJsonReply(reply as JsonReply, events);
    });
    ws.on('error', (error: NodeJS.ErrnoException) => (failure = `websocket: ${error.code ?? error.message}`));
    ws.on('close', () => events.closed(failure));
    return {
      sendLine: (line) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'msg', msg: line })),
      hangUp: () => ws.terminate(),
      // Pauses the socket under the WebSocket: frames pile up in the kernel and the server.
      stopReading: () => ws.pause(),
    };
  };
}
