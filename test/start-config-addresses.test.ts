/**
 * `m2bbs start` checks its addresses with every other flag, before it starts anything: a bad
 * --listen or M2BBS_TELNET is one line in the list of problems (exit 2), not a proxy that starts,
 * logs JSON and dies.
 */
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../server/config.js';
import { parseStartConfig } from '../server/start-config.js';
import { HandlerProcess } from './support/handler-process.js';

describe('m2bbs start with a bad address', () => {
  it('lists it with the other problems, naming the flag or the environment variable', () => {
    expect(() => parseStartConfig(['--listen', 'nope', '--page-size', '0'], { M2BBS_TELNET: '127.0.0.1:99999' })).toThrow(
      [
        'm2bbs start: invalid configuration:',
        '  --page-size: expected a whole number from 1 to 100, got "0"',
        '  --listen: expected HOST:PORT such as 127.0.0.1:6767, got "nope"',
        '  M2BBS_TELNET: expected HOST:PORT such as 127.0.0.1:6767, got "127.0.0.1:99999"',
      ].join('\n'),
    );
    expect(() => parseProxyConfig([], { M2BBS_LISTEN: ':6767' })).toThrow('M2BBS_LISTEN: expected HOST:PORT such as 127.0.0.1:6767, got ":6767"');
  });

  it('exits 2 with that list alone: no child is started, no log line is written', async () => {
    const start = HandlerProcess.run(['start', '--listen', 'nope', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db'], {});
    try {
      expect(await start.exited).toBe(2);
      expect(start.stderrText).toBe('m2bbs start: invalid configuration:\n  --listen: expected HOST:PORT such as 127.0.0.1:6767, got "nope"\n');
      expect(start.stdoutText).toBe('');
    } finally {
      await start.stop();
    }
  });
});
