/** Reads a V8 `.cpuprofile` (node --cpu-prof) and names where the time went: functions by self time. */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

/** One function's share of a profile's samples. */
export interface HotFunction {
  readonly name: string;
  readonly where: string;
  readonly selfPercent: number;
}

/** The profile's busiest functions by self time (idle time left out), and the busy share of the wall time. */
export function hottest(file: string, count: number): { readonly busyPercent: number; readonly functions: HotFunction[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byFunction = new Map<string, { name: string; where: string; hits: number }>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const where = url === '' ? '' : `${shorten(url)}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: functionName === '' ? '(anonymous)' : functionName, where, hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
  }
  const busy = Math.max(1, total - idle);
  const functions = [...byFunction.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, count)
    .map((f) => ({ name: f.name, where: f.where, selfPercent: (100 * f.hits) / busy }));
  return { busyPercent: (100 * busy) / Math.max(1, total), functions };
}

function shorten(url: string): string {
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const nodeModules = path.lastIndexOf('node_modules/');
  if (nodeModules >= 0) return path.slice(nodeModules + 'node_modules/'.length);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}
