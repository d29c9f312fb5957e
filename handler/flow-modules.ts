/**
 * Loads the flow modules in `screens/flows/` (TypeScript or JavaScript, through tsx) and checks
 * what they export. A module is imported again only when its source changed, so a reload that
 * touches only texts costs nothing here.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import type { FlowModule, ScreenCatalog } from './screen-flow.js';
import { FILE_NAME } from './screen-file.js';
import type { ScreenProblem } from './screen-markup.js';

/** A flow module file found in the folder, loaded or not. */
export interface FlowFile {
  readonly name: string;
  readonly file: string;
  readonly source: string;
}

/** A flow module that loaded and exports what it must. */
export interface LoadedFlow extends FlowModule {
  readonly name: string;
  readonly file: string;
  readonly source: string;
}

const FLOW_EXTENSIONS = ['.ts', '.js'] as const;

/** Lists `dir/flows/*.ts` and `*.js` with their sources; a folder without `flows/` has none. */
export function findFlowFiles(dir: string, problems: ScreenProblem[]): FlowFile[] {
  const flowsDir = join(dir, 'flows');
  let names: string[];
  try {
    names = readdirSync(flowsDir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    problems.push({ file: flowsDir, line: undefined, message: `cannot be read (${(error as Error).message})` });
    return [];
  }
  const found = new Map<string, FlowFile>();
  for (const entry of names) {
    const extension = FLOW_EXTENSIONS.find((ext) => entry.endsWith(ext) && !entry.endsWith(`.d${ext}`));
    if (extension === undefined) continue;
    const name = entry.slice(0, -extension.length);
    const file = join(flowsDir, entry);
    if (!FILE_NAME.test(name)) {
      problems.push({ file, line: undefined, message: `a flow's file name may have only lowercase letters, digits, _ and - (menus name it as flow ${name.toLowerCase()})` });
      continue;
    }
    const twin = found.get(name);
    if (twin !== undefined) {
      problems.push({ file, line: undefined, message: `two flows called ${name}: this one and ${twin.file}` });
      continue;
    }
    try {
      found.set(name, { name, file, source: readFileSync(file, 'utf8') });
    } catch (error) {
      problems.push({ file, line: undefined, message: `cannot be read (${(error as Error).message})` });
    }
  }
  return [...found.values()];
}

type Importer = (specifier: string, parent: string) => Promise<unknown>;
let importer: Importer | undefined;
// Modules by file and source hash: the same source is never imported twice.
const imported = new Map<string, Promise<unknown>>();

// A module still loading after this long is a problem like one that does not compile: a check, a
// reload or an upgrade says so instead of waiting for ever (the running board keeps its version).
const LOAD_DEADLINE_MS = 5000;
const STILL_LOADING = Symbol('still loading');

/** `pending`'s outcome, or a rejection with STILL_LOADING once `ms` have passed first. */
async function settledWithin<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(STILL_LOADING), ms);
  });
  try {
    return await Promise.race([pending, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Imports and checks each flow file; problems name the file, and the line where one can be found. */
export async function loadFlowModules(files: readonly FlowFile[], problems: ScreenProblem[]): Promise<Map<string, LoadedFlow>> {
  // One tsx namespace for every flow module: a changed file is imported afresh under a new query.
  importer ??= register({ namespace: 'm2bbs-screen-flows' }).import;
  const load = importer;
  const loaded = new Map<string, LoadedFlow>();
  for (const flow of files) {
    const hash = createHash('sha256').update(flow.source).digest('hex').slice(0, 16);
    const url = `${pathToFileURL(flow.file).href}?v=${hash}`;
    let pending = imported.get(url);
    if (pending === undefined) imported.set(url, (pending = load(url, import.meta.url)));
    let namespace: unknown;
    try {
      namespace = await settledWithin(pending, LOAD_DEADLINE_MS);
    } catch (error) {
      if (error === STILL_LOADING) {
        problems.push({ file: flow.file, line: undefined, message: `cannot be loaded: it did not finish loading within ${LOAD_DEADLINE_MS / 1000} s (a top-level await that never settles?)` });
        continue;
      }
      imported.delete(url);
      problems.push({ file: flow.file, line: lineOfError(error, flow.file), message: `cannot be loaded: ${describeLoadError(error, flow.file)}` });
      continue;
    }
    const checked = checkExports(namespace, flow, problems);
    if (checked !== undefined) loaded.set(flow.name, checked);
  }
  return loaded;
}

/** The line of `text` where `needle` first appears, for pointing at a declaration. */
export function lineOf(source: string, needle: RegExp): number | undefined {
  const index = source.search(needle);
  return index < 0 ? undefined : source.slice(0, index).split('\n').length;
}

function checkExports(namespace: unknown, flow: FlowFile, problems: ScreenProblem[]): LoadedFlow | undefined {
  let exports = namespace as Record<string, unknown>;
  // A file outside any "type": "module" package loads as CommonJS: its exports sit under default.
  const inner = exports.default;
  if (typeof inner === 'object' && inner !== null && typeof (inner as Record<string, unknown>).default === 'function') exports = inner as Record<string, unknown>;
  const { file, source } = flow;
  const run = exports.default;
  const screens = exports.screens;
  let ok = true;
  if (typeof run !== 'function') {
    problems.push({ file, line: lineOf(source, /export\s+default/), message: 'expected `export default function* NAME(kit) { ... }`, the flow itself' });
    ok = false;
  }
  const screensLine = lineOf(source, /export\s+const\s+screens/);
  if (typeof screens !== 'object' || screens === null || Array.isArray(screens)) {
    problems.push({ file, line: screensLine, message: "expected `export const screens = { name: ['placeholder', ...] } as const`, the screens the flow shows" });
    return undefined;
  }
  for (const [screen, placeholders] of Object.entries(screens)) {
    const line = lineOf(source, new RegExp(`\\b${screen}\\b`)) ?? screensLine;
    if (!FILE_NAME.test(screen)) {
      problems.push({ file, line, message: `screen "${screen}": a screen name has only lowercase letters, digits, _ and -` });
      ok = false;
    }
    if (!Array.isArray(placeholders) || !placeholders.every((p) => typeof p === 'string' && /^[a-z_]+$/.test(p))) {
      problems.push({ file, line, message: `screen ${screen}: expected a list of placeholder names like ['lines', 'count']` });
      ok = false;
    }
  }
  if (!ok) return undefined;
  return { name: flow.name, file, source, screens: screens as ScreenCatalog, run: run as LoadedFlow['run'] };
}

function lineOfError(error: unknown, file: string): number | undefined {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}(?:\\?[^:\\s]*)?:(\\d+)`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function describeLoadError(error: unknown, file: string): string {
  if (!(error instanceof Error)) return String(error);
  // esbuild: "Transform failed with 1 error:\n/path/x.ts:4:0: ERROR: Expected identifier ..."
  const lines = error.message.split('\n').filter((line) => !/^Transform failed with/.test(line));
  const first = (lines[0] ?? error.message).replace(`${file}:`, '').replace(/^\d+:\d+:\s*(ERROR:\s*)?/, '');
  return `${error.name === 'Error' || error.name === 'TransformError' ? '' : `${error.name}: `}${first}`;
}
