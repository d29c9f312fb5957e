import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SHIPPED_SCREENS, parseHandlerConfig } from '../handler/config.js';
import { M2BBS_BIN } from './support/handler-process.js';

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [M2BBS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-cli-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('m2bbs on the command line', () => {
  it('prints its commands for --help and refuses an unknown command', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('handler   run a BBS backend');
    const unknown = await run(['fly']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('m2bbs: unknown command "fly"');
  });

  it('lists every problem with the handler flags at once and exits 2', async () => {
    const result = await run(['handler', '--send-spec', 'bogus', '--max-lines', 'lots', '--log-level', 'loud']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--send-spec: expected a ZeroMQ endpoint like tcp://127.0.0.1:9910, got "bogus"');
    expect(result.stderr).toContain('--max-lines: expected a whole number from 1 to 1000, got "lots"');
    expect(result.stderr).toContain('--log-level: expected debug, info, warn, error or silent, got "loud"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('takes line limits from flags or the environment, and refuses a login wait longer than the logged-in one', async () => {
    expect(parseHandlerConfig([], {}).lines).toEqual({ maxCallers: 0, idleBeforeLoginSeconds: 120, idleAfterLoginSeconds: 900, idleBeforeTypingSeconds: 30, loginWithinSeconds: 600 });
    expect(parseHandlerConfig(['--idle-after-login', '0', '--login-within', '0'], { M2BBS_MAX_CALLERS: '3', M2BBS_IDLE_BEFORE_LOGIN: '20', M2BBS_IDLE_BEFORE_TYPING: '25' }).lines).toEqual({
      maxCallers: 3,
      idleBeforeLoginSeconds: 20,
      idleAfterLoginSeconds: 0,
      // Cut to the limit before login, which a silent caller is under too.
      idleBeforeTypingSeconds: 20,
      loginWithinSeconds: 0,
    });
    expect(parseHandlerConfig(['--max-callers', '2'], { M2BBS_MAX_CALLERS: '3' }).lines.maxCallers).toBe(2);
    const result = await run(['handler', '--max-callers', 'many', '--idle-before-login', '900', '--idle-after-login', '60']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max-callers: expected a whole number from 0 to 1000000, got "many"');
    expect(result.stderr).toContain('--idle-before-login: expected at most --idle-after-login (60), got "900"');
  });

  it('names an unknown flag and shows the usage', async () => {
    const result = await run(['handler', '--colour', 'green']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
    expect(result.stderr).toContain('Usage: m2bbs handler [flags]');
  });

  it('refuses to start when a screen uses a placeholder it does not have, naming the file, and takes a missing screen from the shipped folder', async () => {
    const dir = tempDir();
    const screens = join(dir, 'screens');
    cpSync(SHIPPED_SCREENS, screens, { recursive: true });
    unlinkSync(join(screens, 'motd.txt'));
    writeFileSync(join(screens, 'menu.txt'), '---(((MAIN MENU)))---\nHello {{nmae}}\n');
    const result = await run(['handler', '--screens', screens, '--db', join(dir, 'bbs.db'), '--send-spec', 'tcp://127.0.0.1:1', '--recv-spec', 'tcp://127.0.0.1:2']);
    expect(result.code).toBe(1);
    // A missing screen is taken from the shipped folder; the broken one stops the start.
    expect(result.stderr).not.toContain('motd.txt');
    expect(result.stderr).toContain(`${join(screens, 'menu.txt')}:2: unknown placeholder {{nmae}} (this screen offers: name, title, entries, keys)`);
  });
});
