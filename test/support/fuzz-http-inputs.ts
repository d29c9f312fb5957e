/**
 * Fuzz input for the front port's HTTP side: malformed request lines, huge headers, half
 * requests, lying lengths, and WebSocket upgrades with bad headers.
 */
import { chunks, mutate } from './fuzz-mutate.js';
import type { Random } from './fuzz-random.js';
import type { FuzzPlan } from './fuzz-run.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'get', 'G ET', '', 'PRI', '\u0000GET', 'GET\t'];
const PATHS = ['/', '/index.html', '/directory', '/favicon.ico', '/ws', '/ws?route=@bbs', '/ws?route=@bbs.99', '/ws?route=', '/%00', '/../../../etc/passwd', '/./', '*', 'http://evil/', '/?a=%ZZ', `/${'a'.repeat(9000)}`, '/page.js', '/\u00ff'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', '', 'http/1.1', 'HTTP/'];

/** The upgrade request the page's WebSocket sends, for the frames to follow. */
export function goodUpgrade(route = '@bbs'): Buffer {
  return Buffer.from(
    `GET /ws?route=${route} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
}

/** An upgrade request with one header or more missing, wrong or repeated. */
function badUpgrade(rng: Random): Buffer {
  const headers: [string, string][] = [
    ['Host', rng.pick(['127.0.0.1', '', 'evil.example', 'x'.repeat(5000)])],
    ['Upgrade', rng.pick(['websocket', 'WebSocket', 'h2c', '', 'websocket, websocket'])],
    ['Connection', rng.pick(['Upgrade', 'keep-alive', 'close', 'Upgrade, close', ''])],
    ['Sec-WebSocket-Key', rng.pick(['dGhlIHNhbXBsZSBub25jZQ==', '', 'short', '!!!!', 'dGhlIHNhbXBsZSBub25jZQ==dGhl'])],
    ['Sec-WebSocket-Version', rng.pick(['13', '8', '0', '99999999999', 'abc', ''])],
    ['Origin', rng.pick(['http://127.0.0.1', 'http://evil.example', 'null', '::::', ''])],
    ['Sec-WebSocket-Extensions', rng.pick(['permessage-deflate', 'permessage-deflate; client_max_window_bits=99', 'x; ;;', ''])],
    ['Sec-WebSocket-Protocol', rng.pick(['chat', ', ,', '\u00ff'])],
  ];
  const kept = headers.filter(() => rng.chance(0.75));
  if (rng.chance(0.3)) kept.push(rng.pick(headers));
  const lines = kept.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return Buffer.from(`GET ${rng.pick(PATHS.slice(4, 8))} HTTP/1.1\r\n${lines}\r\n`, 'latin1');
}

/** One HTTP request, well formed or not. */
export function httpRequest(rng: Random): Buffer {
  switch (rng.int(0, 6)) {
    case 0:
      return Buffer.from(`${rng.pick(METHODS)} ${rng.pick(PATHS)} ${rng.pick(VERSIONS)}\r\nHost: 127.0.0.1\r\n\r\n`, 'latin1');
    case 1: {
      // Headers far past what Node's parser takes.
      const many = rng.chance(0.5);
      const headers = many ? Array.from({ length: rng.int(100, 3000) }, (_, i) => `X-H${i}: ${'v'.repeat(rng.int(0, 40))}\r\n`).join('') : `X-Big: ${'b'.repeat(rng.int(10_000, 90_000))}\r\n`;
      return Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
    }
    case 2: {
      // A body whose stated length, or chunking, is a lie.
      const body = 'x'.repeat(rng.int(0, 200));
      const framing = rng.pick([`Content-Length: ${rng.pick([body.length + 50, -1, 99999999999999, 0])}`, 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked\r\nContent-Length: 3', 'Content-Length: 1\r\nContent-Length: 2']);
      const chunked = framing.includes('chunked') ? `${rng.pick(['zz', 'ffffffffffffffff', '5', '-1'])}\r\n${body}\r\n` : body;
      return Buffer.from(`POST ${rng.pick(PATHS)} HTTP/1.1\r\nHost: 127.0.0.1\r\n${framing}\r\n\r\n${chunked}`);
    }
    case 3:
      // Half a request: the line closes before the blank line.
      return Buffer.from(`GET ${rng.pick(PATHS)} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: `.slice(0, rng.int(1, 60)));
    case 4:
      return badUpgrade(rng);
    case 5:
      return mutate(rng, rng.chance(0.5) ? goodUpgrade() : Buffer.from('GET /directory HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    default:
      // Several requests pipelined on one connection.
      return Buffer.from(Array.from({ length: rng.int(2, 20) }, () => `GET ${rng.pick(['/', '/directory', '/nope'])} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
  }
}

/** The bytes of one HTTP fuzz connection; none starts with `@`, so all of them reach HTTP. */
export function httpPlan(rng: Random): FuzzPlan {
  let stream: Buffer = Buffer.concat(Array.from({ length: rng.chance(0.8) ? 1 : rng.int(2, 4) }, () => httpRequest(rng)));
  if (stream[0] === 0x40) stream = Buffer.concat([Buffer.from('G'), stream]);
  if (stream.length === 0) stream = Buffer.from('\r\n');
  const steps: (Buffer | 'await-reply')[] = [];
  for (const piece of chunks(rng, stream)) {
    steps.push(piece);
    if (rng.chance(0.15)) steps.push('await-reply');
  }
  return { steps, ending: rng.pick(['end', 'destroy', 'linger', 'linger'] as const) };
}
