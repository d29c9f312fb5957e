// @ts-check
/**
 * `node compile-sources.js ROOT OUT FILE...`: compiles each TypeScript FILE (relative to ROOT) to
 * OUT with the esbuild tsx runs on, each output stamped with its source's modification time. Run
 * by compiled-tree.js in a child process of its own; exits 1 when a file cannot be compiled.
 */
import { mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, out, ...files] = process.argv.slice(2);
if (root === undefined || out === undefined) {
  process.stderr.write('Usage: node compile-sources.js ROOT OUT FILE...\n');
  process.exit(2);
}

// esbuild as tsx resolves it, so compiling needs nothing that running the sources would not.
const esbuild = createRequire(createRequire(join(root, 'package.json')).resolve('tsx'))('esbuild');

/** The compiler options esbuild honours (class fields, module syntax), read from tsconfig.json. */
function compilerOptions() {
  try {
    return JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).compilerOptions ?? {};
  } catch {
    return {};
  }
}

/** Compiles one file; `import.meta` keeps naming the source, so paths beside it still resolve. */
async function compile(file, tsconfigRaw) {
  const source = join(/** @type {string} */ (root), file);
  // Stat before reading: a file edited in between gets the older time and is compiled again.
  const { mtimeMs } = statSync(source);
  const result = await esbuild.transform(readFileSync(source, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: source,
    sourcemap: 'inline',
    sourcesContent: false,
    tsconfigRaw,
    define: {
      'import.meta.url': JSON.stringify(pathToFileURL(source).href),
      'import.meta.filename': JSON.stringify(source),
      'import.meta.dirname': JSON.stringify(dirname(source)),
    },
  });
  const target = join(/** @type {string} */ (out), `${file.slice(0, -3)}.js`);
  mkdirSync(dirname(target), { recursive: true });
  // Written aside and renamed, so a process starting at the same time never reads half a file.
  const aside = `${target}.${process.pid}.tmp`;
  writeFileSync(aside, result.code);
  // Half a millisecond past the source's, so reading it back rounds to the same millisecond.
  const stamp = (Math.floor(mtimeMs) + 0.5) / 1000;
  utimesSync(aside, stamp, stamp);
  renameSync(aside, target);
}

try {
  const tsconfigRaw = { compilerOptions: compilerOptions() };
  await Promise.all(files.map((file) => compile(file, tsconfigRaw)));
} catch (error) {
  // A source that does not compile is left for tsx to report; anything else is said here.
  if (!(error && typeof error === 'object' && 'errors' in error)) process.stderr.write(`m2bbs: cannot compile the sources to ${out} (${error instanceof Error ? error.message : String(error)}); running them through tsx\n`);
  process.exitCode = 1;
} finally {
  await esbuild.stop();
}
