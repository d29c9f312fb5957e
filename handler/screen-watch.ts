/**
 * Hot reload: watches a screens folder (and its flows/) and, a moment after the last change,
 * loads it again. A folder that checks out becomes the version in force; a broken one is logged
 * with every problem's file and line, and the version in force stays.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { checkScreenFolder, sortedProblems, type ScreenSet } from './screens.js';

/** A screens folder being watched. */
export interface ScreenWatcher {
  /** The version in force: the engine asks for it at every screen and menu. */
  readonly current: ScreenSet;
  /** Loads the folder now; resolves true when the new version is in force. */
  reload(): Promise<boolean>;
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last change before reloading, so a save of several files loads once. */
  readonly debounceMs?: number;
  /** Called with each new version as it comes into force (message areas are reconciled here). */
  readonly onLoaded?: (set: ScreenSet) => void;
}

/** Watches `dir`, starting from the version `initial` that was loaded from it. */
export function watchScreens(dir: string, initial: ScreenSet, log: Logger, options: WatchOptions = {}): ScreenWatcher {
  const debounceMs = options.debounceMs ?? 150;
  let current = initial;
  let version = 1;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  const watchers = new Map<string, FSWatcher>();
  const flowsDir = join(dir, 'flows');

  function follow(path: string): void {
    if (closed || watchers.has(path)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(path, { persistent: false }, (_event, filename) => {
        // A flows/ folder made after start-up is watched from then on.
        if (path === dir && filename === 'flows') follow(flowsDir);
        schedule();
      });
    } catch (error) {
      if (path !== flowsDir || (error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('screens folder not watched', { dir: path, error: describeError(error) });
      return;
    }
    watcher.on('error', (error) => {
      watcher.close();
      watchers.delete(path);
      if (path !== flowsDir) log.warn('screens folder not watched', { dir: path, error: describeError(error) });
      schedule();
    });
    watchers.set(path, watcher);
  }

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  }

  async function load(): Promise<boolean> {
    if (closed) return false;
    follow(flowsDir);
    let problems: string[];
    try {
      const result = await checkScreenFolder(dir);
      if (result.set !== undefined) {
        if (closed) return false;
        current = result.set;
        version++;
        options.onLoaded?.(current);
        // `version` counts reloads in this process; `screensVersion` names the contents (what menus carry).
        log.info('screens reloaded', { dir, version, screensVersion: current.version, menus: current.menuNames, screens: current.screenNames.length, flows: current.flowNames });
        return true;
      }
      problems = sortedProblems(result.problems);
    } catch (error) {
      problems = [`${dir}: ${describeError(error)}`];
    }
    log.error('screens not reloaded', { dir, version, screensVersion: current.version, problems });
    return false;
  }

  // One load at a time, in order: the last change always gets a load of its own.
  function reload(): Promise<boolean> {
    const next = queue.then(load);
    queue = next.catch(() => undefined);
    return next;
  }

  follow(dir);
  follow(flowsDir);
  return {
    get current() {
      return current;
    },
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
