import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDial } from './support/dial-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

describe('m2bbs dial when the number it names is busy', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 2, lines: 1 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('picks another number from the directory and redials it', async () => {
    const holder = await JsonSocketClient.open(bbs.frontPort, '@bbs.10');
    holder.send('connect');
    await holder.untilPrompt();
    const run = await runDial(['--plain', `127.0.0.1:${bbs.frontPort}`, '@bbs.10'], '');
    expect(run.stdout).toContain('BUSY');
    expect(run.stdout).toContain('ATDT @bbs.11');
    expect(run.stdout.indexOf('ATDT @bbs.11')).toBeGreaterThan(run.stdout.indexOf('BUSY'));
    expect(run.stdout).toContain('Welcome to the M2BBS.');
    expect(run.stdout).not.toContain('ATDT @bbs\n');
    holder.destroy();
  });
});
