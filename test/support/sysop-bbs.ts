/** One `m2bbs start` (two backends) for a test file of `m2bbs sysop` commands, its callers closed after each test. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { JsonSocketClient } from './json-socket-client.js';
import { m2bbs, startBbs, type RunningBbs } from './running-bbs.js';

/** The BBS of the file (started before its tests, stopped after), the callers to close, and the sysop's command against it. */
export interface SysopBbs {
  readonly running: () => RunningBbs;
  readonly callers: JsonSocketClient[];
  readonly sysop: (...args: string[]) => ReturnType<typeof m2bbs>;
}

/** Registers the file's hooks; call at the top level of a test file. */
export function useSysopBbs(): SysopBbs {
  let running: RunningBbs | undefined;
  const callers: JsonSocketClient[] = [];
  beforeAll(async () => {
    running = await startBbs(['--backends', '2']);
  }, 60_000);
  afterAll(async () => {
    await running?.bbs.stop();
  });
  afterEach(() => {
    for (const caller of callers.splice(0)) caller.destroy();
  });
  const bbs = (): RunningBbs => {
    if (running === undefined) throw new Error('the BBS of this file did not start');
    return running;
  };
  return { running: bbs, callers, sysop: (...args) => m2bbs(['sysop', '--db', bbs().db, ...args]) };
}
