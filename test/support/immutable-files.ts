/**
 * Makes files immutable with `chattr +i`, the one way to stop root from writing a file (chmod
 * does not). Probed once: where chattr or the filesystem does not support it, tests skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function tryChattr(flag: '+i' | '-i', file: string): string | undefined {
  try {
    execFileSync('chattr', [flag, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr !== undefined && stderr !== '' ? stderr : (err as Error).message;
  }
}

/**
 * Why files in the temp folder cannot be made immutable here, or undefined when they can. CI
 * runs as root on a filesystem that has the flag and sets M2BBS_REQUIRE_CHATTR, so there the
 * unwritable-database tests fail rather than skip.
 */
export const immutableUnsupported: string | undefined = (() => {
  const why = probeChattr();
  if (why !== undefined && process.env.M2BBS_REQUIRE_CHATTR) throw new Error(`M2BBS_REQUIRE_CHATTR is set, but ${why}`);
  return why;
})();

function probeChattr(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-chattr-'));
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  try {
    const failed = tryChattr('+i', probe);
    if (failed !== undefined) return `chattr +i does not work here (${failed}); needs root and a filesystem with the immutable flag`;
    tryChattr('-i', probe);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes `file` immutable until the returned function (also safe to call twice) is called. */
export function makeImmutable(file: string): () => void {
  const failed = tryChattr('+i', file);
  if (failed !== undefined) throw new Error(`chattr +i ${file} failed: ${failed}`);
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    tryChattr('-i', file);
  };
}
