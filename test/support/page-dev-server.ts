/**
 * A stand-in for the proxy's HTTP and WebSocket door, for developing the page: it serves the page
 * and xterm.js at the door's paths with the door's headers, and plays a scripted BBS on `/ws`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';

/** A running page server; the same shape the real proxy's test BBS has. */
export interface PageDevServer {
  readonly httpUrl: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const PAGE_DIR = fileURLToPath(new URL('../../server/page/', import.meta.url));
const XTERM = dirname(require.resolve('@xterm/xterm'));
const FIT = dirname(require.resolve('@xterm/addon-fit'));
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': [join(PAGE_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/page.js': [join(PAGE_DIR, 'page.js'), JS],
  '/page.css': [join(PAGE_DIR, 'page.css'), CSS],
  '/xterm/xterm.js': [join(XTERM, 'xterm.js'), JS],
  '/xterm/xterm.css': [join(XTERM, '..', 'css', 'xterm.css'), CSS],
  '/xterm/addon-fit.js': [join(FIT, 'addon-fit.js'), JS],
};
// The headers the real door sends, so the page is developed under the same policy.
const HEADERS = {
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const MENU = '---(((MAIN MENU))---\n1. Leave a message.\n2. Read messages left.\n3. Send to someone else.\n4. Read messages to you.\nQ. Quit the BBS.';

/** Starts the page server on an ephemeral loopback port. */
export async function startPageDevServer(): Promise<PageDevServer> {
  const board: { author: string; lines: string[] }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // Browsers ask for an icon by themselves; a 404 would show as a console error.
    if (path === '/favicon.ico') {
      res.writeHead(204, HEADERS).end();
      return;
    }
    const file = FILES[path];
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found');
      return;
    }
    const body = readFileSync(file[0]);
    res.writeHead(200, { 'content-type': file[1], 'content-length': body.length, ...HEADERS }).end(body);
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => void converse(ws, board).catch(() => ws.terminate()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    httpUrl: `http://127.0.0.1:${port}/`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

// The scripted caller's side of the original BBS: sign-up, post, read, quit.
async function converse(ws: WebSocket, board: { author: string; lines: string[] }[]): Promise<void> {
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  ws.on('message', (data) => {
    const { msg } = JSON.parse(data.toString()) as { msg: string };
    lines.push(msg);
    wake?.();
  });
  ws.on('close', () => wake?.());
  const reply = (body: object): void => ws.send(JSON.stringify(body));
  const screen = (msg: string): void => reply({ type: 'screen', msg });
  const prompt = async (msg: string, pchar = '> ', echo = true): Promise<string> => {
    reply(echo ? { type: 'prompt', msg, pchar } : { type: 'prompt', msg, pchar, echo: false });
    while (lines.length === 0) {
      if (ws.readyState !== ws.OPEN) throw new Error('caller hung up');
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return lines.shift() ?? '';
  };

  screen(' __  __ ____  ____  ____  ____\n|  \\/  |___ \\| __ )| __ )/ ___|\n\nWelcome to the M2BBS.');
  const name = (await prompt("What's your name? (new callers: pick one)")).trim();
  const password = await prompt("What's your password?", '> ', false);
  await prompt(`There's no caller named ${name} here yet. Sign up as ${name}? (Y/n)`);
  if ((await prompt('Type the same password again, to be sure.', '> ', false)) !== password) {
    reply({ type: 'exit', msg: 'Those passwords differ.' });
    ws.close(1000, 'bye');
    return;
  }
  screen(`Welcome aboard, ${name}! You're signed up.`);
  await prompt(`MOTD: Hello ${name}.\n\nDo you want to continue? (Y/n)`);
  for (;;) {
    const choice = (await prompt(MENU)).trim().toUpperCase();
    if (choice === '1') {
      screen('Leave a message: up to 20 lines of up to 200 characters. A line with only a . on it ends the message.');
      const message: string[] = [];
      for (let line = await prompt('', ' 1> '); line !== '.'; line = await prompt('', `${String(message.length + 1).padStart(2)}> `)) {
        message.push(line);
      }
      board.push({ author: name, lines: message });
      screen(`Your message is on the board as number ${board.length}.`);
    } else if (choice === '2') {
      screen(`${board.length} messages on the board, oldest first.`);
      board.forEach((m, i) => screen(`--- #${i + 1} from ${m.author}, 2026-11-22 09:03 UTC\n${m.lines.join('\n')}`));
      screen("-- That's all. --");
    } else if (choice === 'Q') {
      reply({ type: 'exit', msg: `Alright, see ya later, ${name}.` });
      ws.close(1000, 'bye');
      return;
    }
  }
}
