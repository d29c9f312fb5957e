import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { askScreen, currentMenu, showScreen, type Flow } from '../handler/effects.js';
import { buildMenu } from '../handler/menu.js';
import { loadScreens, type Screens } from '../handler/screens.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { createHarness } from './support/harness.js';

describe('the engine and the screens in force', () => {
  it('answers a menu effect from the screens in force at that moment', async () => {
    const shipped = loadScreens(SHIPPED_SCREENS);
    const first = buildMenu('main', 'FIRST', 'menu', []);
    const second = buildMenu('main', 'SECOND', 'menu', []);
    let menu = first;
    const screens: Screens = { render: (name, vars) => shipped.render(name, vars), menu: (name) => (name === 'main' ? menu : undefined), flow: () => undefined };
    function* titles(): Flow {
      for (;;) {
        const found = yield* currentMenu('main');
        const gone = yield* currentMenu('attic');
        yield* askScreen('menu_error', { choice: `${found?.title ?? '-'} ${gone === undefined ? 'none' : 'some'}`, keys: '' });
      }
    }
    const h = createHarness({ startFlow: titles, screens: () => screens });
    const c = h.caller('1');
    expect((await c.dial())?.msg).toContain('"FIRST none"');
    menu = second;
    expect((await c.say(''))?.msg).toContain('"SECOND none"');
    h.close();
  });

  it('ends the call with the error screen when a flow shows a screen the folder does not have', async () => {
    const records: Record<string, unknown>[] = [];
    const log = createLogger('debug', { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
    function* lost(): Flow {
      yield* showScreen('no_such_screen');
    }
    const h = createHarness({ startFlow: lost, log });
    const c = h.caller('2');
    expect(await c.dial()).toBeUndefined();
    expect(c.replies.at(-1)).toMatchObject({ type: 'exit', msg: expect.stringContaining('Something broke on our side') });
    expect(records.find((r) => r.msg === 'flow failed')).toMatchObject({ effect: { kind: 'show', screen: 'no_such_screen' }, error: expect.stringContaining('no_such_screen.txt') });
    h.close();
  });
});
