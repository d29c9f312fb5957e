/**
 * The screens in force as one caller sees them: every screen word-wrapped to that caller's width
 * (the `COLUMNS` header the proxy sends with each request; 80 when none comes).
 */
import type { Mongrel2Request } from '../common/mongrel2-wire.js';
import type { Screens } from './screen-set.js';
import { DEFAULT_COLUMNS, clampColumns } from '../common/terminal-columns.js';

// One view per version and width, made once: a reply need not build closures.
const views = new WeakMap<Screens, Map<number, Screens>>();

/** `screens` whose `render` wraps at `columns`. */
export function screensAt(screens: Screens, columns: number): Screens {
  let byWidth = views.get(screens);
  if (byWidth === undefined) views.set(screens, (byWidth = new Map()));
  let view = byWidth.get(columns);
  if (view === undefined) {
    view = Object.freeze({
      render: (name: string, vars: Parameters<Screens['render']>[1]) => screens.render(name, vars, columns),
      menu: (name: string) => screens.menu(name),
      flow: (name: string) => screens.flow(name),
      ...(screens.version === undefined ? {} : { version: screens.version }),
      ...(screens.flowVersion === undefined ? {} : { flowVersion: screens.flowVersion.bind(screens) }),
    });
    byWidth.set(columns, view);
  }
  return view;
}

/** The caller's width a request says (`COLUMNS`, clamped to 20..250), or 80 when it says none. */
export function columnsOf(request: Pick<Mongrel2Request, 'headers'>): number {
  return clampColumns(request.headers.COLUMNS) ?? DEFAULT_COLUMNS;
}
