import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HandlerProcess } from './support/handler-process.js';
import { descendants } from './support/process-tree.js';

/** The lines of `text` that are not JSON log records. */
function plainLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
}

describe('m2bbs start when a backend cannot start', () => {
  it('a database this folder held is missing: the backend says why once, start stops with exit code 1, no banner, nothing left', async () => {
    const bbs = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/board/bbs.db', '--backends', '1'], {}, (dir) => {
      // A board that had a database (its marker is there) whose file has gone.
      mkdirSync(join(dir, 'board'), { mode: 0o700 });
      writeFileSync(join(dir, 'board', 'bbs.db-created'), '');
    });
    expect(await bbs.exited).toBe(1);
    const lines = plainLines(bbs.stderrText);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('bbs.db');
    expect(lines[0]).toMatch(/missing|restore/i);
    expect(bbs.stdoutText).not.toContain('m2bbs is up');
    expect(descendants(bbs.child.pid ?? 0)).toEqual([]);
    await bbs.stop();
  });

  it('a screens folder that does not check out: one line naming the problem, exit code 1', async () => {
    const bbs = HandlerProcess.run(['start', '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db', '--screens', '$DIR/no-such-screens', '--backends', '1', '--log-level', 'silent']);
    expect(await bbs.exited).toBe(1);
    const lines = plainLines(bbs.stderrText);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.join('\n')).toContain('no-such-screens');
    expect(bbs.stderrText).not.toMatch(/\n\s+at /);
    expect(bbs.stdoutText).not.toContain('m2bbs is up');
    await bbs.stop();
  });
});
