/**
 * `m2bbs keys`: the two certificate files, their modes and zcert text, no overwriting; and the
 * key flags of proxy, handler and start: every problem with the files listed at once (exit 2),
 * never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseCert } from '../common/curve-cert.js';
import { isZ85Key } from '../common/curve-z85.js';
import { M2BBS_BIN } from './support/handler-process.js';

function m2bbs(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [M2BBS_BIN, ...args], { encoding: 'utf8', env: { ...process.env, M2BBS_CURVE_KEY: '', M2BBS_CURVE_CLIENTS: '', M2BBS_CURVE_SERVER: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-keys-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('m2bbs keys', () => {
  it('writes NAME.key (0600, both keys) and NAME.pub (the public key) in the zcert format, and never overwrites them', () => {
    const dir = tempDir();
    const made = m2bbs('keys', 'proxy', '--dir', dir);
    expect(made.status, made.stderr).toBe(0);
    const secret = readFileSync(join(dir, 'proxy.key'), 'utf8');
    const pub = readFileSync(join(dir, 'proxy.pub'), 'utf8');
    expect(statSync(join(dir, 'proxy.key')).mode & 0o777).toBe(0o600);
    const keys = parseCert(secret);
    expect(isZ85Key(keys.publicKey ?? '')).toBe(true);
    expect(isZ85Key(keys.secretKey ?? '')).toBe(true);
    expect(parseCert(pub)).toEqual({ publicKey: keys.publicKey });
    expect(pub).not.toContain(keys.secretKey);
    // The zcert layout CZMQ writes and reads: a metadata section, then curve with quoted keys.
    expect(secret).toMatch(/^#.*\n#   ZeroMQ CURVE \*\*Secret\*\* Certificate\n[\s\S]*\nmetadata\ncurve\n {4}public-key = "[^"]{40}"\n {4}secret-key = "[^"]{40}"\n$/);
    expect(made.stdout).toContain(keys.publicKey);

    const again = m2bbs('keys', 'proxy', '--dir', dir);
    expect(again.status).toBe(2);
    expect(again.stderr.trim()).toBe(`m2bbs keys: ${join(dir, 'proxy.key')} already exists; m2bbs keys never overwrites a key`);
    expect(readFileSync(join(dir, 'proxy.key'), 'utf8')).toBe(secret);

    const noName = m2bbs('keys', '--dir', dir);
    expect(noName.status).toBe(2);
    expect(noName.stderr).toContain('expected a NAME for the key pair');
  });

  it('key files missing, malformed, a secret others may read, a .pub given as a secret, or half the flags: all listed at once, exit 2, no stack trace', () => {
    const dir = tempDir();
    expect(m2bbs('keys', 'proxy', '--dir', dir).status).toBe(0);
    expect(m2bbs('keys', 'shared', '--dir', dir).status).toBe(0);
    chmodSync(join(dir, 'shared.key'), 0o644);
    writeFileSync(join(dir, 'junk.pub'), 'not a certificate\n');
    mkdirSync(join(dir, 'empty'));

    const handler = m2bbs('handler', '--db', join(dir, 'x.db'), '--curve-key', join(dir, 'shared.key'), '--curve-server', join(dir, 'junk.pub'));
    expect(handler.status).toBe(2);
    expect(handler.stderr).toContain('m2bbs handler: invalid configuration:');
    expect(handler.stderr).toContain(`--curve-key: ${join(dir, 'shared.key')} may be read by other users (mode 644)`);
    expect(handler.stderr).toContain(`--curve-server: ${join(dir, 'junk.pub')} is not a ZeroMQ certificate`);

    const half = m2bbs('handler', '--db', join(dir, 'x.db'), '--curve-key', join(dir, 'proxy.key'));
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('--curve-key and --curve-server go together');

    const proxy = m2bbs('proxy', '--curve-key', join(dir, 'proxy.pub'), '--curve-clients', join(dir, 'empty'));
    expect(proxy.status).toBe(2);
    expect(proxy.stderr).toContain(`--curve-key: ${join(dir, 'proxy.pub')} holds no secret key`);
    expect(proxy.stderr).toContain(`--curve-clients: no certificate in ${join(dir, 'empty')} (NUMBER.pub, or *.pub in a folder NUMBER/), so no backend could attach`);

    const start = m2bbs('start', '--remote-backend', 'bbs.20=tcp://127.0.0.1:9920,tcp://127.0.0.1:9921', '--curve-key', join(dir, 'missing.key'), '--curve-clients', join(dir, 'nowhere'));
    expect(start.status).toBe(2);
    expect(start.stderr).toContain(`--curve-key: cannot read ${join(dir, 'missing.key')}: no such file`);
    expect(start.stderr).toContain(`--curve-clients: cannot read the folder ${join(dir, 'nowhere')}: no such folder`);

    for (const run of [handler, half, proxy, start]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
