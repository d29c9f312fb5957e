/**
 * Endpoint settings that would leave callers' traffic unguarded are config problems (exit 2,
 * listed with the rest), never silently accepted: `m2bbs proxy` with a tcp:// backend endpoint
 * other hosts can reach and no CURVE (unless --insecure-tcp says so), an ipc:// socket outside
 * --endpoint-dir, and a backend given CURVE keys for an ipc:// endpoint it could never attach to.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { writeKeyPair } from '../common/curve-cert.js';
import { parseProxyConfig } from '../server/config.js';
import { M2BBS_BIN } from './support/handler-process.js';

function m2bbs(...args: string[]): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [M2BBS_BIN, ...args], { encoding: 'utf8', env: { ...process.env, M2BBS_CURVE_KEY: '', M2BBS_CURVE_CLIENTS: '', M2BBS_CURVE_SERVER: '', M2BBS_ENDPOINT_DIR: '' } });
  return { status: run.status, stderr: run.stderr };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-endpoints-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('endpoints that would be unguarded', () => {
  it('m2bbs proxy: a tcp:// endpoint other hosts can reach without --curve-key is a problem, listed with the rest; loopback is not', () => {
    const run = m2bbs('proxy', '--listen', 'nowhere', '--backend', 'bbs.20=tcp://0.0.0.0:9920,tcp://127.0.0.1:9921', '--backend', 'bbs.21=tcp://*:9930,tcp://[::1]:9931');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--listen: expected HOST:PORT');
    expect(run.stderr).toContain('--backend bbs.20: tcp://0.0.0.0:9920 is open to other hosts, and without CURVE anyone there may read what callers type and forge replies: give --curve-key and --curve-clients (see m2bbs keys), bind 127.0.0.1, or say --insecure-tcp');
    expect(run.stderr).toContain('--backend bbs.21: tcp://*:9930 is open to other hosts');
    expect(run.stderr).not.toContain('127.0.0.1:9921 is open');
    expect(run.stderr).not.toContain('[::1]:9931 is open');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('m2bbs proxy --insecure-tcp is the explicit opt-out', () => {
    const config = parseProxyConfig(['--backend', 'bbs.20=tcp://0.0.0.0:9920,tcp://0.0.0.0:9921', '--insecure-tcp'], {});
    expect(config.backends.map((b) => b.sendSpec)).toEqual(['tcp://0.0.0.0:9920']);
    expect(() => parseProxyConfig(['--backend', 'bbs.20=tcp://0.0.0.0:9920,tcp://0.0.0.0:9921'], {})).toThrow(/tcp:\/\/0\.0\.0\.0:9920 is open to other hosts/);
  });

  it('m2bbs proxy --endpoint-dir: an ipc:// socket outside it is a problem (the folder would neither guard it nor remove it)', () => {
    const dir = tempDir();
    const inside = join(dir, 'private');
    const run = m2bbs('proxy', '--endpoint-dir', inside, '--backend', `bbs.10=ipc://${join(inside, 'a')},ipc://${join(dir, 'b')}`, '--backend', `bbs.11=ipc://${inside}/../c,ipc://${join(inside, 'd')}`);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--backend bbs.10: ipc://${join(dir, 'b')} is not inside --endpoint-dir ${inside}, so that folder neither guards it nor is it removed at stop; put it in the folder`);
    expect(run.stderr).toContain(`--backend bbs.11: ipc://${inside}/../c is not inside --endpoint-dir`);
    expect(run.stderr).not.toContain(`ipc://${join(inside, 'a')} is not inside`);
    expect(run.stderr).not.toContain(`ipc://${join(inside, 'd')} is not inside`);
  });

  it('m2bbs handler: --curve-key and --curve-server with an ipc:// endpoint is a problem', () => {
    const dir = tempDir();
    const own = writeKeyPair(dir, 'bbs20');
    const proxy = writeKeyPair(dir, 'proxy');
    const run = m2bbs('handler', '--db', join(dir, 'x.db'), '--send-spec', `ipc://${join(dir, 'requests')}`, '--recv-spec', 'tcp://127.0.0.1:9921', '--curve-key', own.secretFile, '--curve-server', proxy.publicFile);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--send-spec: ipc://${join(dir, 'requests')} is an ipc:// endpoint, which the proxy serves without CURVE: drop --curve-key and --curve-server there (the folder guards it), or connect to its tcp:// endpoints`);
    expect(run.stderr).not.toContain('--recv-spec:');
  });
});
