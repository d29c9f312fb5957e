#!/usr/bin/env node
// The published entry point. Commands that load TypeScript while they run (a backend's and the
// sysop's screen flows, the screens check, the bench's scripts) register tsx; the others run the
// sources compiled to JavaScript (compiled-tree.js), which spares a long-running proxy or
// supervisor tsx's loader thread and esbuild: about 30 MB of RSS each.
import { compiledCli } from './compiled-tree.js';

const LOADS_TYPESCRIPT = new Set(['handler', 'screens', 'sysop', 'bench']);

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
