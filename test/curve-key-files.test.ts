/**
 * Key files are read only when they are regular files of at most 64 KiB: a device (/dev/zero), a
 * FIFO, a folder or a huge file given as a key is a config problem listed with the rest (exit 2),
 * where reading it would hang the start or fill memory.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { writeKeyPair } from '../common/curve-cert.js';
import { M2BBS_BIN } from './support/handler-process.js';

function m2bbs(...args: string[]): { status: number | null; stderr: string } {
  // The timeout only keeps a hang (the bug) from blocking the suite; the assertions are on what was printed.
  const run = spawnSync(process.execPath, [M2BBS_BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, M2BBS_CURVE_KEY: '', M2BBS_CURVE_CLIENTS: '', M2BBS_CURVE_SERVER: '', M2BBS_ENDPOINT_DIR: '' } });
  return { status: run.status, stderr: run.stderr };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-keyfiles-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function fifo(path: string): string {
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

describe('key files that are not certificate files', () => {
  it('m2bbs proxy: --curve-key /dev/zero, and a FIFO, a folder and a huge file in --curve-clients, are listed together, exit 2', () => {
    const dir = tempDir();
    const clients = join(dir, 'clients');
    mkdirSync(clients);
    writeKeyPair(clients, 'bbs.20');
    fifo(join(clients, 'bbs.21.pub'));
    mkdirSync(join(clients, 'bbs.22.pub'));
    writeFileSync(join(clients, 'bbs.23.pub'), Buffer.alloc(64 * 1024 + 1, 0x61));
    const run = m2bbs('proxy', '--listen', 'nowhere', '--backend', 'bbs.20=tcp://127.0.0.1:1,tcp://127.0.0.1:2', '--curve-key', '/dev/zero', '--curve-clients', clients);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--listen: expected HOST:PORT');
    expect(run.stderr).toContain('--curve-key: /dev/zero is not a regular file (a device, FIFO or socket)');
    expect(run.stderr).toContain(`--curve-clients: ${join(clients, 'bbs.21.pub')} is not a regular file (a device, FIFO or socket)`);
    expect(run.stderr).toContain(`--curve-clients: cannot read ${join(clients, 'bbs.22.pub')}: it is a folder`);
    expect(run.stderr).toContain(`--curve-clients: ${join(clients, 'bbs.23.pub')} is 65537 bytes, more than a certificate's 65536`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('m2bbs handler: a FIFO as --curve-key and /dev/zero as --curve-server are config problems, exit 2', () => {
    const dir = tempDir();
    const key = fifo(join(dir, 'bbs.20.key'));
    const run = m2bbs('handler', '--db', join(dir, 'x.db'), '--send-spec', 'tcp://127.0.0.1:1', '--recv-spec', 'tcp://127.0.0.1:2', '--curve-key', key, '--curve-server', '/dev/zero');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--curve-key: ${key} is not a regular file (a device, FIFO or socket)`);
    expect(run.stderr).toContain('--curve-server: /dev/zero is not a regular file (a device, FIFO or socket)');
  });
});
