// @ts-check
/**
 * The TypeScript sources compiled to plain JavaScript under node_modules/.cache/m2bbs/, so a
 * long-running proxy or supervisor needs no TypeScript loader: in Node 20 tsx's hooks run on a
 * thread of their own with esbuild, about 30 MB of RSS for each process that registers it.
 *
 * Each compiled file carries its source's modification time as its own, so a source edited since
 * (or new, or checked out) is compiled again before anything runs, and a compiled file whose
 * source is gone is removed: what runs is always what the sources say.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPILER = fileURLToPath(new URL('./compile-sources.js', import.meta.url));

/** The folders whose TypeScript a compiled command may import (tests and screens/ excepted). */
export const SOURCE_DIRS = ['common', 'server', 'handler', 'db', 'client', 'sysop'];

/**
 * Where `root`'s compiled tree lives: one per checkout, since an exported tree may share its
 * node_modules with another by a symbolic link.
 */
export function compiledDir(root = ROOT) {
  const key = createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 12);
  return join(root, 'node_modules', '.cache', 'm2bbs', key);
}

/**
 * The `.ts` files under `root`'s source folders whose compiled `.js` is missing or older or newer
 * than they are, with the compiled files whose source is gone removed.
 */
export function staleSources(root, out, dirs = SOURCE_DIRS) {
  const stale = [];
  for (const dir of dirs) {
    const sources = new Set();
    for (const file of listFiles(join(root, dir), '.ts')) {
      if (file.endsWith('.d.ts')) continue;
      const name = relative(root, file);
      sources.add(name.slice(0, -3));
      const compiled = statSync(join(out, `${name.slice(0, -3)}.js`), { throwIfNoEntry: false });
      // Compared to the millisecond: the compiler stamps each output with its source's time.
      if (compiled === undefined || Math.floor(compiled.mtimeMs) !== Math.floor(statSync(file).mtimeMs)) stale.push(name);
    }
    for (const file of listFiles(join(out, dir), '.js')) {
      if (!sources.has(relative(out, file).slice(0, -3))) unlinkSync(file);
    }
  }
  return stale;
}

/**
 * The URL of the compiled `common/cli.js`, compiling what changed first; undefined when it cannot
 * be had (a source does not compile, the folder cannot be written), so the caller runs the
 * sources through tsx instead, which reports a source's error as a developer is used to.
 */
export function compiledCli(root = ROOT) {
  try {
    const out = compiledDir(root);
    const stale = staleSources(root, out);
    if (stale.length > 0) {
      // In a child process, so esbuild's code and service never stay in this one.
      const result = spawnSync(process.execPath, [COMPILER, root, out, ...stale], { stdio: ['ignore', 'ignore', 'inherit'] });
      if (result.status !== 0) return undefined;
    }
    return pathToFileURL(join(out, 'common', 'cli.js')).href;
  } catch (error) {
    process.stderr.write(`m2bbs: running the TypeScript sources through tsx: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

/** Every file under `dir` ending in `extension`; none when `dir` does not exist. */
function listFiles(dir, extension) {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(extension)).map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}
