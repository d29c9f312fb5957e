/** What a test of `m2bbs start` reads about its backends: the proxy's directory and the backends' pids. */
import { expect } from 'vitest';
import type { DirectoryEntry } from '../../server/line.js';
import type { HandlerProcess } from './handler-process.js';
import { childRunning, until } from './process-tree.js';

/** The numbers as `GET /directory` on the proxy's HTTP port lists them. */
export async function directory(port: number): Promise<DirectoryEntry[]> {
  const response = await fetch(`http://127.0.0.1:${port}/directory`);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return ((await response.json()) as { numbers: DirectoryEntry[] }).numbers;
}

/** Polls the directory until `number` shows `up`. */
export function untilShown(port: number, number: string, up: boolean): Promise<DirectoryEntry> {
  return until(async () => (await directory(port)).find((n) => n.number === number && n.up === up), `${number} ${up ? 'up' : 'down'} in the directory`);
}

/** The pid of backend `number` under `m2bbs start`, once it runs (a new one when `not` is given). */
export function backendPid(bbs: HandlerProcess, number: string, not?: number): Promise<number> {
  return until(async () => {
    const pid = await childRunning(bbs.child.pid ?? 0, new RegExp(` handler .*--name ${number.replace('.', '\\.')} `), number);
    return pid === not ? undefined : pid;
  }, `a backend ${number}`);
}
