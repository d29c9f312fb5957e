/**
 * Calling over telnet as a plain terminal does: it answers the proxy's negotiation (echo,
 * suppress-go-ahead, terminal type "dumb", a window size), reads screen text, and takes text
 * ending in "> " as a prompt.
 */
import { connect } from 'node:net';
import type { Dial, Wire, WireEvents } from './caller.js';

const IAC = 255;
const [DONT, DO, WONT, WILL, SB, SE] = [254, 253, 252, 251, 250, 240] as const;
const [ECHO, SGA, TTYPE, NAWS] = [1, 3, 24, 31] as const;
const BUSY = /\.\.\. BUSY|All lines are busy/g;

/** Dials the telnet door at host:port (telnet callers always reach `@bbs`). */
export function telnetDial(host: string, port: number): Dial {
  return (events: WireEvents): Wire => {
    const socket = connect({ host, port, noDelay: true });
    let text = '';
    let failure: string | undefined;
    const reply = (bytes: number[]): void => void socket.write(Buffer.from(bytes));
    socket.on('connect', () => events.connected());
    socket.on('data', (chunk: Buffer) => {
      const shown: number[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i] as number;
        if (byte !== IAC) {
          if (byte !== 0x0d) shown.push(byte);
          continue;
        }
        const command = chunk[i + 1];
        const option = chunk[i + 2];
        if (command === IAC) {
          shown.push(IAC);
          i += 1;
        } else if (command === SB) {
          if (option === TTYPE) reply([IAC, SB, TTYPE, 0, ...Buffer.from('dumb'), IAC, SE]);
          const end = chunk.indexOf(SE, i);
          i = end < 0 ? chunk.length : end;
        } else if (command === WILL) {
          reply([IAC, option === ECHO || option === SGA ? DO : DONT, option ?? 0]);
          i += 2;
        } else if (command === DO) {
          if (option === TTYPE) reply([IAC, WILL, TTYPE]);
          else if (option === NAWS) reply([IAC, WILL, NAWS, IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE]);
          else reply([IAC, WONT, option ?? 0]);
          i += 2;
        } else {
          i += command === WONT || command === DONT ? 2 : 1;
        }
      }
      if (shown.length === 0) return;
      const fresh = Buffer.from(shown).toString('latin1');
      for (const _ of fresh.matchAll(BUSY)) events.busy();
      text += fresh;
      if (text.endsWith('> ')) {
        const prompt = text;
        text = '';
        events.replied();
        events.prompt({ text: prompt, echo: undefined });
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = `telnet: ${error.code ?? error.message}`));
    socket.on('close', () => {
      if (text.trim() !== '') events.exit(text.trim());
      events.closed(failure);
    });
    return {
      sendLine: (line) => void socket.write(`${line}\r\n`),
      hangUp: () => void socket.destroy(),
      stopReading: () => void socket.pause(),
    };
  };
}
