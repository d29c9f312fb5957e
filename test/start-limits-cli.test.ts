import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagSpec } from '../common/flag-table.js';
import { parseHandlerConfig } from '../handler/config.js';
import { parseProxyConfig } from '../server/config.js';
import { backendArgs, parseStartConfig, PASSED_ON_FLAGS, START_FLAGS } from '../server/start-config.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { childRunning, until } from './support/process-tree.js';

const BACKEND = { number: 'bbs.10', sendSpec: 'tcp://127.0.0.1:9910', recvSpec: 'tcp://127.0.0.1:9911' };

describe('every backend limit given to m2bbs start, as a flag or in the environment, reaches each backend', () => {
  it('passes each limit on as the handler reads it', () => {
    const env = { M2BBS_MAX_LINE_LENGTH: '40', M2BBS_BAD_PASS_DELAY_MS: '0', M2BBS_IDLE_BEFORE_LOGIN: '30', M2BBS_IDLE_AFTER_LOGIN: '60', M2BBS_LOGIN_WITHIN: '45' };
    const start = parseStartConfig(['--max-lines', '3', '--page-size', '2', '--max-callers', '7', '--writes-per-hour', '5'], env);
    const handler = parseHandlerConfig(backendArgs(start, BACKEND).slice(1), {});
    expect(handler.limits).toMatchObject({ maxLines: 3, maxLineLength: 40, pageSize: 2, badPasswordDelayMs: 0, writesPerHour: 5 });
    expect(handler.lines).toEqual({ maxCallers: 7, idleBeforeLoginSeconds: 30, idleAfterLoginSeconds: 60, idleBeforeTypingSeconds: 30, loginWithinSeconds: 45 });
    // A flag wins over the environment, and the defaults are the handler's own but for lines.
    expect(parseStartConfig(['--page-size', '4'], { M2BBS_PAGE_SIZE: '9' }).backendLimits.limits.pageSize).toBe(4);
    const defaults = parseHandlerConfig(backendArgs(parseStartConfig([], {}), BACKEND).slice(1), {});
    expect(defaults.limits).toEqual(parseHandlerConfig([], {}).limits);
    expect(defaults.lines).toEqual({ ...parseHandlerConfig([], {}).lines, maxCallers: 50 });
  });

  it('takes every flag of m2bbs handler but those of one backend, and gives each backend the same', () => {
    // A value other than the default for each, valid for both commands.
    const argv = Object.keys(PASSED_ON_FLAGS).flatMap((flag) => {
      const spec = START_FLAGS[flag as keyof typeof START_FLAGS] as FlagSpec;
      if (spec.kind === 'boolean') return [`--${flag}`];
      if (spec.kind === 'integer') return [`--${flag}`, String(spec.min + 1)];
      return [`--${flag}`, spec.choices?.at(-1) ?? 'x'];
    });
    expect(argv.length).toBeGreaterThanOrEqual(14);
    const own = ['--name', BACKEND.number, '--send-spec', BACKEND.sendSpec, '--recv-spec', BACKEND.recvSpec, '--db', 'data/m2bbs.db'];
    expect(parseHandlerConfig(backendArgs(parseStartConfig(argv, {}), BACKEND).slice(1), {})).toEqual(parseHandlerConfig([...own, ...argv], {}));
  });

  it('refuses --bus: the supervisor hosts the bus and gives each backend its endpoints itself', async () => {
    expect(() => parseStartConfig(['--bus', 'a,b'], {})).toThrow("m2bbs start: Unknown option '--bus'");
    const start = HandlerProcess.run(['start', '--bus', 'a,b', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    try {
      expect(await start.exited).toBe(2);
      expect(start.stderrText).toContain("m2bbs start: Unknown option '--bus'");
      expect(start.stdoutText).not.toContain('http://');
    } finally {
      await start.stop();
    }
  });

  it('passes the proxy its limits too: the output cap and the telnet negotiation wait', () => {
    const start = parseStartConfig(['--max-output-bytes', '65536'], { M2BBS_TELNET_NEGOTIATION_MS: '250' });
    const proxy = parseProxyConfig([...start.proxyFlags], {});
    expect(proxy.maxOutputBytes).toBe(65536);
    expect(proxy.telnetNegotiationMs).toBe(250);
    expect(parseStartConfig([], {}).proxyFlags).toEqual([
      ...['--telnet-negotiation-ms', '3000', '--max-output-bytes', String(1024 * 1024)],
      ...['--max-per-address', '10', '--max-connections', '10000', '--connections-per-minute', '30', '--header-timeout-ms', '10000'],
    ]);
  });

  it('passes the proxy its caps, its request deadline and the host names it serves, from flags or the environment', () => {
    const env = { M2BBS_MAX_CONNECTIONS: '300', M2BBS_HOSTS: 'bbs.example.org, Other.Example.NET.' };
    const proxy = parseProxyConfig([...parseStartConfig(['--max-per-address', '0', '--header-timeout-ms', '500'], env).proxyFlags], {});
    expect(proxy.caps).toEqual({ maxPerAddress: 0, maxConnections: 300, connectionsPerMinute: 30, headerTimeoutMs: 500, hosts: ['bbs.example.org', 'other.example.net'] });
    // Flags win over M2BBS_HOSTS; a name that is not one is refused with the others.
    expect(parseProxyConfig([...parseStartConfig(['--host', 'a.example'], env).proxyFlags], {}).caps?.hosts).toEqual(['a.example']);
    expect(() => parseStartConfig(['--host', 'http://x/'], {})).toThrow(/--host: expected a host name such as bbs.example.org, got "http:\/\/x\/"/);
    expect(() => parseProxyConfig([], { M2BBS_HOSTS: 'ok.example,bad name' })).toThrow('M2BBS_HOSTS: expected a host name such as bbs.example.org, got "bad name"');
  });

  it('locks an address after 4 times --login-lock-after unless --login-address-lock-after says otherwise (0: never), and m2bbs start passes it on', () => {
    expect(parseHandlerConfig(['--login-lock-after', '3'], {}).limits.loginAddressLockAfter).toBe(12);
    expect(parseHandlerConfig([], {}).limits.loginAddressLockAfter).toBe(20);
    expect(parseHandlerConfig(['--login-lock-after', '3'], { M2BBS_LOGIN_ADDRESS_LOCK_AFTER: '7' }).limits.loginAddressLockAfter).toBe(7);
    const handler = parseHandlerConfig(backendArgs(parseStartConfig(['--login-address-lock-after', '0'], {}), BACKEND).slice(1), {});
    expect(handler.limits.loginAddressLockAfter).toBe(0);
    expect(() => parseHandlerConfig([], { M2BBS_LOGIN_ADDRESS_LOCK_AFTER: '-1' })).toThrow(/M2BBS_LOGIN_ADDRESS_LOCK_AFTER: expected a whole number from 0 to 100000, got "-1"/);
  });

  it('cuts the limit for a caller silent since calling to the one before login', () => {
    const start = parseStartConfig(['--idle-before-login', '20', '--idle-before-typing', '45', '--idle-after-login', '60'], {});
    expect(start.backendLimits.lines).toMatchObject({ idleBeforeLoginSeconds: 20, idleBeforeTypingSeconds: 20 });
    const handler = parseHandlerConfig(backendArgs(parseStartConfig(['--idle-before-typing', '5'], { M2BBS_IDLE_BEFORE_TYPING: '9' }), BACKEND).slice(1), {});
    expect(handler.lines.idleBeforeTypingSeconds).toBe(5);
    expect(parseHandlerConfig([], { M2BBS_IDLE_BEFORE_TYPING: '0' }).lines.idleBeforeTypingSeconds).toBe(0);
  });

  it('names the environment variable a bad value came from, with every problem at once', () => {
    expect(() => parseStartConfig(['--max-lines', '0'], { M2BBS_PAGE_SIZE: 'lots', M2BBS_IDLE_BEFORE_LOGIN: '0' })).toThrow(
      [
        'm2bbs start: invalid configuration:',
        '  --max-lines: expected a whole number from 1 to 1000, got "0"',
        '  M2BBS_PAGE_SIZE: expected a whole number from 1 to 100, got "lots"',
        '  --idle-before-login: expected at most --idle-after-login (900), got "0 (never)"',
      ].join('\n'),
    );
  });
});

describe('m2bbs start --restart-delay-ms and --max-restart-delay-ms: how soon a backend that died is started again', () => {
  it('waits 0.5 s, doubling to 10 s, unless told otherwise, and refuses a longest wait below the first', () => {
    expect(parseStartConfig([], {}).restartDelayMs).toEqual({ first: 500, max: 10_000 });
    expect(parseStartConfig(['--restart-delay-ms', '100'], { M2BBS_MAX_RESTART_DELAY_MS: '400' }).restartDelayMs).toEqual({ first: 100, max: 400 });
    expect(() => parseStartConfig(['--restart-delay-ms', '800', '--max-restart-delay-ms', '200'], {})).toThrow('--max-restart-delay-ms: expected at least --restart-delay-ms (800), got 200');
  });

  it('restarts a backend killed again and again after the waits it was given, doubling up to the longest', async () => {
    const bbs = HandlerProcess.run(
      ['start', '--backends', '1', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', '--restart-delay-ms', '40', '--max-restart-delay-ms', '100'],
      { M2BBS_LOG: 'json' },
    );
    try {
      await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//);
      const waits: unknown[] = [];
      let victim = 0;
      for (let i = 0; i < 3; i++) {
        victim = await until(async () => {
          const pid = await childRunning(bbs.child.pid ?? 0, / handler .*--name bbs\.10 /, 'the backend bbs.10');
          return pid === victim ? undefined : pid;
        }, 'a new backend bbs.10');
        process.kill(victim, 'SIGKILL');
        const exited = await bbs.waitForLog((r) => r.msg === 'backend exited; restarting' && r.signal === 'SIGKILL' && !waits.includes(r));
        waits.push(exited);
      }
      expect(waits.map((r) => (r as { restartInMs?: unknown }).restartInMs)).toEqual([40, 80, 100]);
    } finally {
      expect(await bbs.stop()).toBe(0);
    }
  }, 30_000);
});

describe('m2bbs start --max-lines 2 --page-size 1 --max-callers 1, M2BBS_MAX_LINE_LENGTH=20 M2BBS_IDLE_BEFORE_LOGIN=3', () => {
  let bbs: HandlerProcess;
  let port = 0;
  beforeAll(async () => {
    bbs = HandlerProcess.run(
      ['start', '--backends', '1', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', '--max-lines', '2', '--page-size', '1', '--max-callers', '1'],
      { M2BBS_MAX_LINE_LENGTH: '20', M2BBS_IDLE_BEFORE_LOGIN: '3', M2BBS_BAD_PASS_DELAY_MS: '0', M2BBS_LOG: 'json' },
    );
    port = Number((await bbs.waitForStdout(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
  });
  afterAll(async () => {
    expect(await bbs.stop()).toBe(0);
  });

  it('says in its banner that one backend runs, in the singular', () => {
    expect(bbs.stdoutText).toContain('m2bbs is up: the proxy and 1 backend on ');
  });

  it("starts the backend with every limit on its command line, the environment's among them", async () => {
    const backend = await childRunning(bbs.child.pid ?? 0, / handler .*--name bbs\.10 /, 'the backend bbs.10');
    const args = readFileSync(`/proc/${backend}/cmdline`, 'utf8').split('\0');
    const value = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    expect([value('--max-lines'), value('--page-size'), value('--max-callers')]).toEqual(['2', '1', '1']);
    expect([value('--max-line-length'), value('--idle-before-login'), value('--bad-pass-delay-ms')]).toEqual(['20', '3', '0']);
    expect([value('--idle-after-login')]).toEqual(['900']);
  });

  it('shows a caller each limit: message length and lines, page size, busy, and the idle hang-up', async () => {
    const alice = await JsonSocketClient.open(port, '@bbs.10');
    alice.send('connect');
    await alice.untilPrompt();
    await alice.exchange('alice');
    expect((await alice.exchange('wonderland')).prompt?.msg).toContain('Sign up as alice? (Y/n)');
    await alice.exchange('y');
    await alice.exchange('wonderland');
    expect((await alice.exchange('Y')).prompt?.msg).toContain('MAIN MENU');

    // The one line is alice's: the next caller to this number is busy.
    const bob = await JsonSocketClient.open(port, '@bbs.10');
    bob.send('connect');
    const busy = await bob.untilPrompt();
    expect(busy.closed).toBe(true);
    expect(busy.texts.join('\n')).toMatch(/BUSY|Busy: all lines on this number are in use \(1 of 1\)/);

    expect((await alice.exchange('1')).texts.join('\n')).toContain('Leave a message: up to 2 lines of up to 20 characters.');
    const full = (await alice.exchange('A line of thirty characters..')).texts.join('\n');
    expect(full).toContain('That line was longer than 20 characters, so it now takes 2 lines.');
    expect(full).toContain("That's 2 lines, as long as a message can be. Type a . alone on a line to end it.");
    expect((await alice.exchange('.')).texts[0]).toBe('Your message is on the board as number 1.');
    await alice.exchange('1');
    expect((await alice.exchange('Second.')).prompt?.pchar).toBe(' 2> ');
    expect((await alice.exchange('.')).texts[0]).toBe('Your message is on the board as number 2.');
    const page = await alice.exchange('2');
    expect(page.prompt?.msg).toBe('-- Enter for more, R to reply to the last one (R 12 for #12), Q to stop --');
    expect(page.texts.join('\n')).toContain('A line of thirty');
    expect(page.texts.join('\n')).not.toContain('Second.');
    const last = await alice.exchange('');
    expect(last.texts.join('\n')).toContain('Second.');
    // The end of the board asks too (R replies there); Enter goes back to the menu, Q hangs up.
    expect(last.prompt?.msg).toBe("-- That's all in General. R to reply (R 12 for #12), Enter to go on --");
    expect((await alice.exchange('')).prompt?.msg).toContain('MAIN MENU');
    expect((await alice.exchange('Q')).closed).toBe(true);

    // Alice's line is freed as her hang-up reaches the proxy and backend: dial until one answers.
    const silent = await dialUntilAnswered(port);
    const hangUp = await silent.untilPrompt();
    expect(hangUp.closed).toBe(true);
    expect(hangUp.texts.join('\n')).toContain('Nothing typed for 3 seconds, so the BBS is hanging up');
  });
});

async function dialUntilAnswered(port: number): Promise<JsonSocketClient> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const caller = await JsonSocketClient.open(port, '@bbs.10');
    caller.send('connect');
    const turn = await caller.untilPrompt();
    if (!turn.closed) return caller;
    if (Date.now() > deadline) throw new Error(`@bbs.10 still busy after alice hung up: ${turn.texts.join(' / ')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
