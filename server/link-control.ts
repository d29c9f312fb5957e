/**
 * Links coming and going while the proxy runs: a number's next generation added, a link drained
 * (no new calls; its calls handed off at a prompt), a drained link removed (what is left on it
 * moved as on a death), a link whose processes had all gone getting a new one (no longer draining).
 */
import type { Logger } from '../common/log.js';
import type { BackendLink } from './backend-link.js';
import type { Handoff } from './handoff.js';
import type { LinkTable } from './link-table.js';

/** What changing the links needs of the switchboard. */
export interface LinkControlContext {
  readonly log: Logger;
  readonly table: LinkTable;
  readonly handoff: Handoff;
  /** Moves or drops the calls on a link that lost its last process (`live`: or is removed with one still running, which is told). */
  down(link: BackendLink, live?: boolean): void;
}

/** The switchboard's link operations. */
export interface LinkControl {
  up(link: BackendLink): void;
  addLink(link: BackendLink): void;
  drainLink(link: BackendLink, by: 'backend' | 'supervisor'): void;
  removeLink(link: BackendLink): void;
}

/** Creates the link operations over the switchboard's link table. */
export function createLinkControl(ctx: LinkControlContext): LinkControl {
  const { log, table, handoff, down } = ctx;

  function up(link: BackendLink): void {
    const state = table.state(link);
    // The old process's going, still waiting for its `drained` notice, comes before the new one.
    if (state.downPending !== undefined) {
      state.drainedSaid = true;
      down(link);
    }
    if (state.draining && table.has(link)) {
      state.draining = false;
      state.waitLogged = false;
      log.info('link no longer draining: a new backend process connected', { backend: link.spec.number, sendSpec: link.bound.sendSpec });
    }
    // A line may now be free for calls waiting on a drain.
    handoff.sweep();
  }

  function addLink(link: BackendLink): void {
    table.add(link);
    log.info('link added', { backend: link.spec.number, sendSpec: link.bound.sendSpec, generation: table.generationCount(link.spec.number) });
  }

  function drainLink(link: BackendLink, by: 'backend' | 'supervisor'): void {
    const state = table.state(link);
    if (state.draining || !table.has(link)) return;
    state.draining = true;
    state.waitLogged = false;
    log.info('link draining', { backend: link.spec.number, sendSpec: link.bound.sendSpec, by, callers: state.inUse });
    handoff.sweep();
  }

  function removeLink(link: BackendLink): void {
    if (!table.has(link)) return;
    table.state(link).draining = true;
    // Its calls move as on a death, before the link leaves the table (their lines are counted there);
    // a process still on it is told DETACH for each, so it stops counting their lines.
    down(link, link.up);
    table.remove(link);
    log.info('link removed', { backend: link.spec.number, sendSpec: link.bound.sendSpec });
  }

  return { up, addLink, drainLink, removeLink };
}
