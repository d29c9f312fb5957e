import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDial } from './support/dial-process.js';
import { mongrel2TestsRun, startMongrel2Bbs, type Mongrel2Bbs, type RealMongrel2 } from './support/real-mongrel2.js';

const available = mongrel2TestsRun('m2bbs dial against a real Mongrel2 is');

describe.runIf(available)('m2bbs dial calling an m2bbs backend behind a real Mongrel2', () => {
  let bbs: Mongrel2Bbs;
  const m2 = (): RealMongrel2 => bbs.m2;

  beforeAll(async () => {
    bbs = await startMongrel2Bbs(['--bad-pass-delay-ms', '0']);
  });

  afterAll(async () => {
    await bbs?.stop();
  });

  it('reads its glued replies and holds a whole call', async () => {
    const script = ['moe', 'mongrel-pw', 'y', 'mongrel-pw', 'y', '1', 'Dialled through Mongrel2.', '.', '2', '', 'q', ''].join('\n');
    const run = await runDial(['--plain', `127.0.0.1:${m2().port}`], script);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ATDT @bbs\nATDT @bbs \.\.\. CONNECT\n[\s\S]*Welcome to the M2BBS\./);
    expect(run.stdout.match(/CONNECT/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/--- #1 from moe, .*\nDialled through Mongrel2\./);
    expect(run.stdout.endsWith('Alright, see ya later, moe.\nNO CARRIER\n')).toBe(true);
    expect(run.stdout).not.toContain('mongrel-pw');
  });

  it('reports the 404 for a number Mongrel2 does not route', async () => {
    const run = await runDial(['--plain', `127.0.0.1:${m2().port}`, '@nowhere'], '');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('server answered with an HTTP error: HTTP/1.1 404 Not Found');
  });
});
