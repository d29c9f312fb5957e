#!/usr/bin/env node
// The published entry point: runs the sources compiled to JavaScript (compiled-tree.js), which
// spares each process tsx's loader thread and its transforms (30 MB of RSS for the proxy and the
// supervisor, 12 MB for a backend, which still registers tsx for its screen flows alone). The
// bench runs through tsx: it starts TypeScript scripts of its own and is edited most.
import { compiledCli } from './compiled-tree.js';

const LOADS_TYPESCRIPT = new Set(['bench']);

const command = process.argv[2];
const compiled = command !== undefined && LOADS_TYPESCRIPT.has(command) ? undefined : compiledCli();
if (compiled === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../common/cli.ts');
} else {
  // Stack traces name the TypeScript lines, as they do under tsx.
  process.setSourceMapsEnabled(true);
  await import(compiled);
}
