/**
 * A backend connects ipc:// endpoints only in a folder no other user could have bound a socket in:
 * at start it refuses a folder other users may write to (or another user's), and a folder that
 * appears later, re-created open to others (the name taken while the proxy was away), is refused
 * at the connection: the backend logs BBS_ERR_ENDPOINT_FOLDER and stops rather than serve it.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Push, Subscriber } from 'zeromq';
import { HandlerProcess } from './support/handler-process.js';

let backend: HandlerProcess | undefined;
afterEach(async () => {
  await backend?.stop();
  backend = undefined;
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-ipcdir-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function specs(folder: string): string[] {
  return ['--send-spec', `ipc://${join(folder, 'bbs.10.requests')}`, '--recv-spec', `ipc://${join(folder, 'bbs.10.replies')}`];
}

describe('the folder of a backend ipc endpoint', () => {
  it('is refused at start when other users may write to it, or it is another user\'s', async () => {
    const open = join(tempDir(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    backend = HandlerProcess.start([...specs(open)], { channel: false });
    expect(await backend.exited).toBe(1);
    expect(backend.stderrText).toContain(`m2bbs handler: --send-spec: the folder ${open} of ipc://${join(open, 'bbs.10.requests')} may be written by other users (mode 777)`);
    // Its temp folder removed before the next one takes its place (afterEach stops only the last).
    await backend.stop();
    if (process.getuid?.() !== 0) return;
    const theirs = join(tempDir(), 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    chownSync(theirs, 65534, 65534);
    backend = HandlerProcess.start([...specs(theirs)], { channel: false });
    expect(await backend.exited).toBe(1);
    expect(backend.stderrText).toContain(`the folder ${theirs} of ipc://${join(theirs, 'bbs.10.requests')} belongs to user 65534, not to this user (0)`);
  });

  it('made later, open to others, with sockets bound in it: the backend refuses it at the connection and stops', async () => {
    const folder = join(tempDir(), 'later');
    backend = HandlerProcess.start([...specs(folder)], { channel: false });
    await backend.waitForLog((r) => r.msg === 'handler ready');
    // Someone else's folder in its place: writable by all, with sockets bound where the proxy's were.
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    const push = new Push({ linger: 0 });
    const sub = new Subscriber({ linger: 0 });
    onTestFinished(() => {
      push.close();
      sub.close();
    });
    await push.bind(`ipc://${join(folder, 'bbs.10.requests')}`);
    await sub.bind(`ipc://${join(folder, 'bbs.10.replies')}`);
    const refused = await backend.waitForLog((r) => r.msg === 'endpoint folder not trusted; backend stops');
    expect(refused.code).toBe('BBS_ERR_ENDPOINT_FOLDER');
    expect(String(refused.problem)).toContain(`may be written by other users (mode 777)`);
    expect(await backend.exited).toBe(1);
  });
});
