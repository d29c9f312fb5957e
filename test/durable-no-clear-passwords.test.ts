/**
 * No password in clear anywhere, journal or not. Under `m2bbs start` (real proxy, two real
 * backends, the supervisor), at the debug log level: sign-ups, a login, a wrong password, and a
 * backend SIGKILLed between the two password prompts of a sign-up (the call moves and goes on at
 * the repeat: only the first password's hash was journaled). Then the bytes of the database file, its -wal file, the log file
 * and everything the processes printed are searched for each password: never found.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../server/line.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { childRunning, descendants, killAll, until } from './support/process-tree.js';

const PASSWORDS = { alice: 'Pw-alice-7731', bob: 'Pw-bob-5519', wrong: 'Pw-wrong-2284' } as const;

let bbs: HandlerProcess | undefined;
let started: number[] = [];
let callers: JsonSocketClient[] = [];
afterEach(async () => {
  for (const c of callers) c.destroy();
  callers = [];
  killAll(started);
  started = [];
  await bbs?.stop();
  bbs = undefined;
});

async function dial(port: number): Promise<JsonSocketClient> {
  const caller = await JsonSocketClient.open(port);
  callers.push(caller);
  expect((await caller.exchange('connect')).prompt?.msg).toBe("What's your name? (new callers: pick one)");
  return caller;
}

async function directory(port: number): Promise<DirectoryEntry[]> {
  const response = await fetch(`http://127.0.0.1:${port}/directory`);
  return ((await response.json()) as { numbers: DirectoryEntry[] }).numbers;
}

/** Which of `files` (and the processes' output) holds `secret`, by name. */
function whereFound(secret: string, files: readonly string[], output: string): string[] {
  const found = files.filter((file) => existsSync(file) && readFileSync(file).includes(Buffer.from(secret)));
  return output.includes(secret) ? [...found, 'the output of m2bbs start'] : found;
}

describe('passwords, with durable conversations on', () => {
  it('are nowhere in clear: not in the database, its -wal, the log file or the processes\' output, a takeover between the two prompts of a sign-up included', async () => {
    bbs = HandlerProcess.run(['start', '--log', 'text', '--log-level', 'debug', '--bad-pass-delay-ms', '0', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    const banner = (await bbs.waitForStdout(/Ctrl-C stops everything\./)).input;
    const root = bbs.child.pid ?? 0;
    started = descendants(root);
    const http = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1]);
    const db = join(bbs.dir, 'bbs.db');

    // alice signs up and quits; calls again and logs in; a third call gets her password wrong.
    const signUp = await dial(http);
    for (const line of ['alice', PASSWORDS.alice, 'y', PASSWORDS.alice, '']) await signUp.exchange(line);
    expect((await signUp.exchange('Q')).texts.join('\n')).toContain('see ya later, alice');
    const logIn = await dial(http);
    await logIn.exchange('alice');
    expect((await logIn.exchange(PASSWORDS.alice)).prompt?.msg).toContain('Do you want to continue?');
    const wrong = await dial(http);
    await wrong.exchange('alice');
    wrong.send(PASSWORDS.wrong);
    await wrong.closedByServer();

    // bob is between the two password prompts of his sign-up when his backend is killed.
    const bob = await dial(http);
    await bob.exchange('bob');
    await bob.exchange(PASSWORDS.bob);
    expect((await bob.exchange('y')).prompt?.msg).toBe('Type the same password again, to be sure.');
    const serving = (await directory(http)).filter((n) => n.inUse > 0).map((n) => n.number);
    logIn.destroy();
    const busy = await until(async () => {
      const now = (await directory(http)).filter((n) => n.inUse > 0).map((n) => n.number);
      return now.length === 1 ? now[0] : undefined;
    }, "bob's call alone on a number");
    expect(serving).toContain(busy);
    process.kill(await childRunning(root, new RegExp(` handler .*--name ${busy?.replace('.', '\\.')} `), busy ?? ''), 'SIGKILL');
    const moved = await bob.untilPrompt();
    expect(moved.texts[0]).toMatch(/^-- line moved to @bbs\.1[01] --$/);
    // Only the first password's hash was journaled: the move asks nothing again, the repeat goes on.
    expect(moved.prompt).toMatchObject({ msg: 'Type the same password again, to be sure.', echo: false });
    expect((await bob.exchange(PASSWORDS.bob)).texts.join('\n')).toContain('Welcome aboard, bob!');
    expect((await bob.exchange('')).prompt?.msg).toContain('MAIN MENU');
    expect((await bob.exchange('Q')).texts.join('\n')).toContain('see ya later, bob');

    // The log says the conversation resumed, and nothing was asked again; never what was typed.
    const logFile = join(bbs.dir, 'm2bbs.log');
    const resumed = await until(() => readFileSync(logFile, 'utf8').split('\n').find((line) => line.includes('conversation resumed')), 'the log line of the takeover');
    expect(resumed).not.toContain('askedAgain');
    const files = [db, `${db}-wal`, logFile];
    expect(existsSync(`${db}-wal`)).toBe(true);
    for (const [whose, secret] of Object.entries(PASSWORDS)) expect(whereFound(secret, files, bbs.stdoutText + bbs.stderrText), `${whose}'s password`).toEqual([]);
    // The search can find things: the names typed at the same prompts are there.
    expect(whereFound('bob', [logFile], '')).toEqual([logFile]);

    // Stopped: the -wal is folded into the database file, which is searched again.
    bbs.child.kill('SIGTERM');
    expect(await bbs.exited).toBe(0);
    for (const [whose, secret] of Object.entries(PASSWORDS)) expect(whereFound(secret, files, bbs.stdoutText + bbs.stderrText), `${whose}'s password, stopped`).toEqual([]);
    expect(readFileSync(db).includes(Buffer.from('bob'))).toBe(true);
  });
});
