import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';

let taken: Server;
let port = 0;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const address = taken.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});
afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

// Stopped even when an expectation failed first; stop() is a no-op for a process that has exited.
const running: HandlerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop()));
});
function run(args: readonly string[]): HandlerProcess {
  const child = HandlerProcess.run(args);
  running.push(child);
  return child;
}

/** The lines of `text` that are not JSON log records. */
function plainLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
}

describe('a port already in use', () => {
  it('m2bbs start --listen: one line naming the flag and the variable, exit code 1, no banner', async () => {
    const bbs = run(['start', '--listen', `127.0.0.1:${port}`, '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    expect(await bbs.exited).toBe(1);
    expect(plainLines(bbs.stderrText)).toEqual([`m2bbs: 127.0.0.1:${port} is already in use; choose another with --listen HOST:PORT or M2BBS_LISTEN`]);
    expect(bbs.stdoutText).toBe('');
  });

  it('m2bbs start --telnet at --log-level silent: that line and nothing else', async () => {
    const bbs = run(['start', '--listen', '127.0.0.1:0', '--telnet', `127.0.0.1:${port}`, '--db', '$DIR/bbs.db', '--log-level', 'silent']);
    expect(await bbs.exited).toBe(1);
    expect(bbs.stderrText).toBe(`m2bbs: 127.0.0.1:${port} is already in use; choose another with --telnet HOST:PORT or M2BBS_TELNET\n`);
  });

  it('m2bbs proxy: the same one line, exit code 1', async () => {
    const proxy = run(['proxy', '--listen', `127.0.0.1:${port}`, '--telnet', '127.0.0.1:0', '--backend', 'bbs.10=tcp://127.0.0.1:*,tcp://127.0.0.1:*', '--log-level', 'silent']);
    expect(await proxy.exited).toBe(1);
    expect(proxy.stderrText).toBe(`m2bbs: 127.0.0.1:${port} is already in use; choose another with --listen HOST:PORT or M2BBS_LISTEN\n`);
  });
});
