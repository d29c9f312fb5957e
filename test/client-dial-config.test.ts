import { describe, expect, it } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { formatAddress, parseAddress, parseDialConfig } from '../client/dial-config.js';

const tty = { stdinIsTty: true, stdoutIsTty: true };

function problem(argv: string[]): string {
  try {
    parseDialConfig(argv, {}, tty);
  } catch (error) {
    if (isBbsError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a problem');
}

describe('m2bbs dial arguments', () => {
  it('defaults to 127.0.0.1:6767 and @bbs, full-screen and in colour', () => {
    expect(parseDialConfig([], {}, tty)).toEqual({ host: '127.0.0.1', port: 6767, route: '@bbs', plain: false, colour: true, dialTimeoutMs: 15_000 });
  });

  it('takes an address and a number in either order', () => {
    expect(parseDialConfig(['@bbs.10', 'bbs.example:7000'], {}, tty)).toMatchObject({ host: 'bbs.example', port: 7000, route: '@bbs.10' });
    expect(parseDialConfig(['[::1]:6000', '--plain'], { NO_COLOR: '1' }, tty)).toMatchObject({ host: '::1', port: 6000, plain: true, colour: false });
  });

  it('goes plain by itself when stdin or stdout is not a terminal', () => {
    expect(parseDialConfig([], {}, { stdinIsTty: false, stdoutIsTty: true }).plain).toBe(true);
    expect(parseDialConfig([], {}, { stdinIsTty: true, stdoutIsTty: false }).plain).toBe(true);
  });

  it('reports every bad argument at once', () => {
    const text = problem(['host:99999', '@bad route', '--dial-timeout-ms', '5']);
    expect(text).toMatch(/^BBS_ERR_CONFIG: m2bbs dial: invalid configuration/);
    expect(text).toContain('expected a port from 1 to 65535, got "99999"');
    expect(text).toContain('@ROUTE: expected @ and a number');
    expect(text).toContain('--dial-timeout-ms: expected a whole number from 100 to 600000, got "5"');
  });

  it('refuses unknown flags and a third argument as usage errors', () => {
    expect(problem(['--colour'])).toMatch(/^BBS_ERR_USAGE: m2bbs dial: Unknown option '--colour'[\s\S]*Usage: m2bbs dial/);
    expect(problem(['a', '@b', 'c'])).toMatch(/^BBS_ERR_USAGE: m2bbs dial: unexpected argument "c"/);
    expect(problem(['a', 'b'])).toContain('expected one HOST[:PORT], got another: "b"');
  });

  it('reads and writes addresses', () => {
    expect(parseAddress('localhost')).toEqual({ host: 'localhost', port: 6767 });
    expect(typeof parseAddress('a b:1')).toBe('string');
    expect(typeof parseAddress('host:0')).toBe('string');
    expect(formatAddress('::1', 6767)).toBe('[::1]:6767');
    expect(formatAddress('127.0.0.1', 1)).toBe('127.0.0.1:1');
  });
});
