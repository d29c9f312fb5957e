import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledCli, compiledDir } from '../bin/compiled-tree.js';

const NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));

const roots: string[] = [];

/** A checkout of its own in the temp folder, sharing this one's node_modules as an exported tree does. */
function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'm2bbs-compiled-'));
  roots.push(root);
  symlinkSync(NODE_MODULES, join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(root, 'common'));
  mkdirSync(join(root, 'notes'));
  writeFileSync(join(root, 'notes', 'note.txt'), 'from beside the source\n');
  writeFileSync(
    join(root, 'common', 'cli.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { greeting } from './greeting.js';",
      "const note: string = readFileSync(new URL('../notes/note.txt', import.meta.url), 'utf8');",
      'console.log(`${greeting()} ${note.trim()}`);',
    ].join('\n'),
  );
  writeFileSync(join(root, 'common', 'greeting.ts'), "export function greeting(): string { return 'hello'; }\n");
  return root;
}

/** Writes `text` to `file` until its modification time is another millisecond, as any later edit's is. */
function edit(file: string, text: string): void {
  const before = Math.floor(statSync(file).mtimeMs);
  const deadline = Date.now() + 5_000;
  do writeFileSync(file, text);
  while (Math.floor(statSync(file).mtimeMs) === before && Date.now() < deadline);
}

/** Runs the compiled entry as the launcher would, and returns what it printed. */
function run(url: string): string {
  const result = spawnSync(process.execPath, [fileURLToPath(url)], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

afterEach(() => {
  for (const root of roots.splice(0)) {
    rmSync(compiledDir(root), { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});

describe('the sources compiled to JavaScript for the commands that run without tsx', () => {
  it('runs what the sources say, with import.meta naming the source, and compiles an edited source again', () => {
    const root = makeTree();
    const url = compiledCli(root);
    expect(url).toBeDefined();
    expect(fileURLToPath(url ?? '')).toContain(join('node_modules', '.cache', 'm2bbs'));
    expect(run(url ?? '')).toBe('hello from beside the source');

    edit(join(root, 'common', 'greeting.ts'), "export function greeting(): string { return 'hello again'; }\n");
    expect(run(compiledCli(root) ?? '')).toBe('hello again from beside the source');
  });

  it('gives each checkout its own compiled tree, though they share node_modules', () => {
    const one = makeTree();
    const other = makeTree();
    edit(join(other, 'common', 'greeting.ts'), "export function greeting(): string { return 'good day'; }\n");
    expect(compiledDir(one)).not.toBe(compiledDir(other));
    expect(run(compiledCli(one) ?? '')).toBe('hello from beside the source');
    expect(run(compiledCli(other) ?? '')).toBe('good day from beside the source');
  });

  it('removes a compiled file whose source is gone, so an import of it fails as it would from the sources', () => {
    const root = makeTree();
    writeFileSync(join(root, 'common', 'extra.ts'), 'export const extra = 1;\n');
    compiledCli(root);
    const compiledExtra = join(compiledDir(root), 'common', 'extra.js');
    expect(existsSync(compiledExtra)).toBe(true);

    unlinkSync(join(root, 'common', 'extra.ts'));
    expect(compiledCli(root)).toBeDefined();
    expect(existsSync(compiledExtra)).toBe(false);
  });

  it('gives nothing to run when a source does not compile, so the launcher runs the sources through tsx, which reports it', () => {
    const root = makeTree();
    expect(compiledCli(root)).toBeDefined();
    edit(join(root, 'common', 'greeting.ts'), "export function greeting(): string { return 'hello' \n");
    expect(compiledCli(root)).toBeUndefined();
  });
});
