import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDial } from './support/dial-process.js';
import { HandlerProcess } from './support/handler-process.js';
import { RealMongrel2, hasMongrel2 } from './support/real-mongrel2.js';

// CI installs Debian's mongrel2-core and sets M2BBS_REQUIRE_MONGREL2, so there this can't be skipped.
const available = hasMongrel2();
if (!available && process.env.M2BBS_REQUIRE_MONGREL2) throw new Error('mongrel2 is required here: apt-get install mongrel2-core');
if (!available) console.warn('mongrel2 not installed (apt-get install mongrel2-core): m2bbs dial is not tried against a real Mongrel2');

describe.runIf(available)('m2bbs dial calling an m2bbs backend behind a real Mongrel2', () => {
  let m2: RealMongrel2;
  let handler: HandlerProcess;

  beforeAll(async () => {
    m2 = await RealMongrel2.start();
    handler = HandlerProcess.start(['--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--bad-pass-delay-ms', '0']);
    await handler.waitForLog((r) => r.msg === 'handler ready');
  });

  afterAll(async () => {
    await handler?.stop();
    await m2?.stop();
  });

  it('reads its glued replies and holds a whole call', async () => {
    const script = ['moe', 'mongrel-pw', 'y', 'mongrel-pw', 'y', '1', 'Dialled through Mongrel2.', '.', '2', 'q', ''].join('\n');
    const run = await runDial(['--plain', `127.0.0.1:${m2.port}`], script);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ATDT @bbs\nCONNECT\n[\s\S]*Welcome to the M2BBS\./);
    expect(run.stdout).toMatch(/--- #1 from moe, .*\nDialled through Mongrel2\./);
    expect(run.stdout.endsWith('Alright, see ya later, moe.\nNO CARRIER\n')).toBe(true);
    expect(run.stdout).not.toContain('mongrel-pw');
  });

  it('reports the 404 for a number Mongrel2 does not route', async () => {
    const run = await runDial(['--plain', `127.0.0.1:${m2.port}`, '@nowhere'], '');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('server answered with an HTTP error: HTTP/1.1 404 Not Found');
  });
});
