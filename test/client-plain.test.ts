import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDial as dial } from './support/dial-process.js';
import { deadPort } from './support/raw-bbs.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const PASSWORD = 'plain-Pa55word';

describe('m2bbs dial --plain', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs();
  });
  afterAll(async () => {
    await bbs?.close();
  });

  it('holds a scripted call from a pipe and exits 0 after the goodbye', async () => {
    // After the board, Enter answers the end-of-board prompt (read_end) before q at the menu.
    const script = ['gus', PASSWORD, 'y', PASSWORD, '', '1', 'Posted from a pipe.', '.', '2', '', 'q', ''].join('\n');
    const run = await dial(['--plain', `127.0.0.1:${bbs.frontPort}`], script);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.match(/CONNECT/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/^ATDT @bbs\nATDT @bbs\.1[01] \.\.\. CONNECT\n[\s\S]*Welcome to the M2BBS\.\nWhat's your name\? \(new callers: pick one\)\n> gus\nWhat's your password\?\n> \n/);
    expect(run.stdout).toContain('Sign up as gus? (Y/n)\n> y\n');
    expect(run.stdout).toMatch(/ 1> Posted from a pipe\.\n 2> \.\nYour message is on the board as number 1\./);
    expect(run.stdout).toMatch(/--- #1 from gus, .*\nPosted from a pipe\./);
    expect(run.stdout).toContain("That's all in General.");
    expect(run.stdout.endsWith('> q\nAlright, see ya later, gus.\nNO CARRIER\n')).toBe(true);
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stdout).not.toMatch(/\x1b/);
  });

  it('hangs up cleanly at the end of its input', async () => {
    const run = await dial(['--plain', `127.0.0.1:${bbs.frontPort}`], 'hopeful\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/> hopeful\nWhat's your password\?\n> \nNO CARRIER\n$/);
    expect(run.stderr).toBe('');
  });

  it('says plainly when nothing answers, and exits 1', async () => {
    const port = await deadPort();
    const run = await dial(['--plain', `127.0.0.1:${port}`], '');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('ATDT @bbs\n');
    expect(run.stderr).toBe(`NO ANSWER: nothing at 127.0.0.1:${port}\n`);
  });

  it('reports a number the BBS does not have, and exits 1', async () => {
    const run = await dial(['--plain', `127.0.0.1:${bbs.frontPort}`, '@nowhere'], '');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[bad data from the BBS: server answered with an HTTP error: HTTP/1.1 404 Not Found]');
    expect(run.stdout).toBe('ATDT @nowhere\nNO CARRIER\n');
  });

  it('lists every bad argument and exits 2', async () => {
    const run = await dial(['--plain', 'host:70000', '@'], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('m2bbs dial: invalid configuration');
    expect(run.stderr).toContain('expected a port from 1 to 65535');
    expect(run.stderr).toContain('@ROUTE: expected @ and a number');
    expect(run.stdout).toBe('');
  });
});
