/**
 * Asks a BBS the bench started for a rolling upgrade of every local backend (SIGHUP to
 * `m2bbs start`, or `m2bbs upgrade` through its control socket) and waits until its supervisor
 * has logged `backend upgraded` for each, or says the upgrade failed, or the time runs out.
 */
import { sleep } from './caller-crowd.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BbsUnderTest } from './bbs-under-test.js';
import type { UpgradeTrigger } from './config.js';

const M2BBS_BIN = fileURLToPath(new URL('../bin/m2bbs.js', import.meta.url));

/** One backend's upgrade, as the supervisor logged it. */
export interface BackendUpgrade {
  readonly backend: string;
  /** Callers moved off the old process, and left on it when it stopped (the supervisor's count). */
  readonly moved: number | null;
  readonly left: number | null;
  /** From starting the new process to the old one gone, as the supervisor measured it. */
  readonly ms: number | null;
  /** When the supervisor logged it (ISO time). */
  readonly at: string | null;
}

/** What the upgrade came to. */
export interface UpgradeOutcome {
  readonly trigger: UpgradeTrigger;
  readonly backends: readonly BackendUpgrade[];
  /** From the trigger to the last backend upgraded (or to giving up). */
  readonly seconds: number;
  /** All asked for were upgraded. */
  readonly done: boolean;
  /** Why not, when not: the supervisor's warnings about the upgrade, the command's output, a timeout. */
  readonly problems: readonly string[];
  /** What `m2bbs upgrade` printed (--trigger command). */
  readonly commandOutput: string | undefined;
}

/** Triggers the upgrade of `count` backends and waits for it, until `deadline` (performance.now() ms). */
export async function upgradeBackends(bbs: BbsUnderTest, trigger: UpgradeTrigger, count: number, deadline: number): Promise<UpgradeOutcome> {
  const started = performance.now();
  const warnedBefore = upgradeWarnings(bbs).length;
  let command: { output: string; code: number | null } | undefined;
  let commandDone: Promise<void> = Promise.resolve();
  if (trigger === 'sighup') bbs.signal('SIGHUP');
  else {
    const child = spawn(process.execPath, [M2BBS_BIN, 'upgrade', '--db', bbs.db], { stdio: ['ignore', 'pipe', 'pipe'] });
    const running = { output: '', code: null as number | null };
    command = running;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (running.output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (running.output += chunk));
    commandDone = new Promise((resolve) =>
      child.on('exit', (code) => {
        running.code = code;
        resolve();
      }),
    );
    // The bench's own deadline ends the command too: nothing it starts outlives it.
    const stop = setTimeout(() => child.kill('SIGKILL'), Math.max(0, deadline - performance.now())).unref();
    void commandDone.then(() => clearTimeout(stop));
  }
  const problems: string[] = [];
  let upgraded = bbs.logged('backend upgraded');
  while (performance.now() < deadline) {
    upgraded = bbs.logged('backend upgraded');
    if (upgraded.length >= count) break;
    const warned = upgradeWarnings(bbs).slice(warnedBefore);
    if (warned.length > 0) {
      problems.push(...warned);
      break;
    }
    if (command?.code !== null && command?.code !== undefined && command.code !== 0) break;
    await sleep(50);
  }
  const seconds = (performance.now() - started) / 1000;
  if (upgraded.length < count && problems.length === 0 && performance.now() >= deadline) problems.push(`only ${upgraded.length} of ${count} backends upgraded within the time allowed`);
  if (command !== undefined) {
    await Promise.race([commandDone, sleep(Math.max(0, Math.min(10_000, deadline - performance.now())))]);
    if (command.code !== 0) problems.push(`m2bbs upgrade exited ${String(command.code)}: ${command.output.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return {
    trigger,
    backends: upgraded.map((r) => ({ backend: String(r.backend), moved: numberOrNull(r.moved), left: numberOrNull(r.left), ms: numberOrNull(r.ms), at: typeof r.time === 'string' ? r.time : null })),
    seconds,
    done: upgraded.length >= count && problems.length === 0,
    problems,
    commandOutput: command?.output,
  };
}

// The supervisor's words for an upgrade that did not go through are not fixed yet: any warning
// or error that speaks of an upgrade counts.
function upgradeWarnings(bbs: BbsUnderTest): string[] {
  return bbs.problems().filter((p) => /upgrad/i.test(p));
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
