/** The files the green-screen page needs, read once at start-up and served from memory. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

const require = createRequire(import.meta.url);
const PAGE_DIR = fileURLToPath(new URL('../page/', import.meta.url));

/** Loads the page and its xterm.js assets, keyed by URL path. */
export function loadStaticFiles(): ReadonlyMap<string, StaticFile> {
  const xtermLib = dirname(require.resolve('@xterm/xterm'));
  const fitLib = dirname(require.resolve('@xterm/addon-fit'));
  const files: [string, string, string][] = [
    ['/', join(PAGE_DIR, 'index.html'), 'text/html; charset=utf-8'],
    ['/page.js', join(PAGE_DIR, 'page.js'), 'text/javascript; charset=utf-8'],
    ['/page.css', join(PAGE_DIR, 'page.css'), 'text/css; charset=utf-8'],
    ['/xterm/xterm.js', join(xtermLib, 'xterm.js'), 'text/javascript; charset=utf-8'],
    ['/xterm/xterm.css', join(xtermLib, '..', 'css', 'xterm.css'), 'text/css; charset=utf-8'],
    ['/xterm/addon-fit.js', join(fitLib, 'addon-fit.js'), 'text/javascript; charset=utf-8'],
  ];
  return new Map(files.map(([path, file, type]) => [path, { body: readFileSync(file), type }]));
}
