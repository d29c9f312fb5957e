/**
 * Who's online names the door `m2bbs dial` came by as `client` (issue 17): the client says so in
 * its first message, the JSON-socket door reads it, and the call's DOOR header is `client`; a
 * caller on a bare JSON socket is still `json`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

const BIN = fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url));

let bbs: TestBbs;
let dial: ChildProcessWithoutNullStreams | undefined;
let json: JsonSocketClient | undefined;
beforeEach(async () => {
  bbs = await startTestBbs();
});
afterEach(async () => {
  json?.destroy();
  json = undefined;
  if (dial !== undefined && dial.exitCode === null && dial.signalCode === null) {
    const gone = new Promise((resolve) => dial?.once('exit', resolve));
    dial.kill('SIGKILL');
    await gone;
  }
  dial = undefined;
  await bbs.close();
});

describe("who's online and m2bbs dial", () => {
  it('shows a caller on m2bbs dial as by client, and one on a bare JSON socket as by json', async () => {
    // A real m2bbs dial, kept on the line (stdin open) while another caller looks.
    const child = spawn(process.execPath, [BIN, 'dial', '--plain', `127.0.0.1:${bbs.frontPort}`, '@bbs'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '' } });
    dial = child;
    let shown = '';
    child.stdout.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (shown += chunk.toString('utf8')));
    const sees = (text: string, from: number): Promise<true> => until(async () => (shown.indexOf(text, from) >= 0 ? true : child.exitCode !== null ? Promise.reject(new Error(`m2bbs dial exited; it showed:\n${shown}`)) : undefined), `m2bbs dial to show ${text}`);
    await sees("What's your name?", 0);
    let mark = shown.length;
    child.stdin.write('dialler\ndialler-pw\ny\ndialler-pw\n\n');
    await sees('MAIN MENU', mark);

    json = await JsonSocketClient.open(bbs.frontPort);
    await json.exchange('connect');
    for (const line of ['socketeer', 'socket-pw', 'y', 'socket-pw']) await json.exchange(line);
    expect((await json.exchange('')).prompt?.msg).toContain('MAIN MENU');
    const list = (await json.exchange('W')).texts.join('\n');
    expect(list).toMatch(/ dialler on bbs\.\d+ by client,/);
    expect(list).toMatch(/ socketeer on bbs\.\d+ by json,/);

    // And the dial caller sees the same list from its side.
    mark = shown.length;
    child.stdin.write('W\n');
    await sees('socketeer', mark);
    expect(shown.slice(mark)).toMatch(/dialler on bbs\.\d+ by client,/);
    child.stdin.end('Q\n');
    await until(async () => (child.exitCode !== null ? true : undefined), 'm2bbs dial to hang up after Q');
  }, 60_000);
});
