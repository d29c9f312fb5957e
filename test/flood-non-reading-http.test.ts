/**
 * HTTP clients on the front port that stop reading: a response the client takes no byte of for
 * --header-timeout-ms resets the connection, and a connection pipelining more requests than the
 * proxy holds for one is reset at once; a client that reads gets every pipelined response whole.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PIPELINED } from '../server/doors/front-door.js';
import { NonReadingClient } from './support/non-reading-client.js';
import { until } from './support/process-tree.js';
import { RawConnection } from './support/raw-connection.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

// The largest file the page loads (about 480 KB): far more than a 2 KiB window and the kernel's buffers take.
const XTERM_JS = readFileSync(join(dirname(createRequire(import.meta.url).resolve('@xterm/xterm')), 'xterm.js'));

const clients: NonReadingClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
});

function nonReader(port: number, count: number): NonReadingClient {
  const client = NonReadingClient.start(port, count, '/xterm/xterm.js');
  clients.push(client);
  return client;
}

describe('a response the client stops reading', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ batch: true, caps: { headerTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('resets a client with a tiny window that pipelines requests for the largest file and never reads', async () => {
    const client = nonReader(bbs.frontPort, MAX_PIPELINED);
    expect(await client.until('began')).toBe('began HTTP/1.1 200 OK');
    expect(await client.until('closed')).toBe('closed reset');
    await until(() => (bbs.proxy.caps.open === 0 ? true : undefined), 'the proxy to hold no connection');
  });

  it('sends every pipelined response whole to a client that reads them', async () => {
    const reader = await RawConnection.open(bbs.frontPort);
    reader.write('GET /xterm/xterm.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(3));
    const tail = XTERM_JS.subarray(-64).toString('latin1');
    await until(() => (reader.received.split(tail).length === 4 ? true : undefined), 'three whole copies of xterm.js');
    const answers = reader.received.split('HTTP/1.1 200 OK\r\n').slice(1);
    expect(answers).toHaveLength(3);
    for (const answer of answers) expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(XTERM_JS.toString('latin1'));
    reader.destroy();
  });
});

describe('a client that stops reading, with a deadline longer than Node\'s keep-alive timeout (5 s, closed at 6)', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ batch: true, caps: { headerTimeoutMs: 7_000 } });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('is reset by the deadline, not closed with a FIN that waits behind the answers it does not read', async () => {
    const client = nonReader(bbs.frontPort, MAX_PIPELINED);
    expect(await client.until('began')).toBe('began HTTP/1.1 200 OK');
    expect(await client.until('closed')).toBe('closed reset');
  });
});

describe('a client pipelining more requests than the proxy holds for one connection', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    // A deadline longer than the test's: only the pipelining bound can close this connection in time.
    bbs = await startTestBbs({ batch: true, caps: { headerTimeoutMs: 600_000 } });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it(`is reset once more than ${MAX_PIPELINED} requests wait unanswered`, async () => {
    const client = nonReader(bbs.frontPort, 50);
    expect(await client.until('closed')).toBe('closed reset');
    await until(() => (bbs.proxy.caps.open === 0 ? true : undefined), 'the proxy to hold no connection');
  });

  it(`answers ${MAX_PIPELINED} pipelined requests`, async () => {
    const reader = await RawConnection.open(bbs.frontPort);
    reader.write('GET /directory HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(MAX_PIPELINED));
    await until(() => (reader.received.split('"numbers"').length === MAX_PIPELINED + 1 ? true : undefined), `${MAX_PIPELINED} answers`);
    expect(reader.received.split('HTTP/1.1 200 OK\r\n')).toHaveLength(MAX_PIPELINED + 1);
    reader.destroy();
  });
});
