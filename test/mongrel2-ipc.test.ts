/**
 * Behind a real Mongrel2 on ipc:// handler specs, as the README's Mongrel2 section says to set them
 * up: specs relative to Mongrel2's folder (which is its chroot when it runs as root), in a 0700
 * folder there; the backend connects to the same files by their path from outside. A caller holds
 * a conversation through it.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { mongrel2TestsRun, startMongrel2Bbs, type Mongrel2Bbs } from './support/real-mongrel2.js';

const available = mongrel2TestsRun('the real-Mongrel2 ipc test is');

describe.runIf(available)('an m2bbs backend behind a real Mongrel2 on ipc:// specs', () => {
  let bbs: Mongrel2Bbs | undefined;

  beforeAll(async () => {
    bbs = await startMongrel2Bbs(['--bad-pass-delay-ms', '0'], { ipc: true });
  });

  afterAll(async () => {
    await bbs?.stop();
  });

  it('finds the sockets Mongrel2 bound inside its folder, and a caller is served through them', async () => {
    const m2 = bbs?.m2;
    if (m2 === undefined) throw new Error('no Mongrel2');
    const socketFile = m2.sendSpec.slice('ipc://'.length);
    expect(statSync(socketFile).isSocket()).toBe(true);
    expect(statSync(socketFile.replace(/\/[^/]+$/, '')).mode & 0o777).toBe(0o700);
    const caller = await JsonSocketClient.open(m2.port);
    try {
      caller.send('connect');
      expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
      expect((await caller.exchange('zoe')).prompt).toMatchObject({ msg: "What's your password?", echo: false });
    } finally {
      caller.destroy();
    }
  });
});
