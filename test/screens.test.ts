import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { SCREEN_NAMES } from '../handler/screen-catalog.js';
import { loadScreens } from '../handler/screens.js';

describe('screens', () => {
  it('ships every screen the flows show, the originals among them', () => {
    const screens = loadScreens(SHIPPED_SCREENS);
    for (const name of ['welcome', 'name', 'welcome_newbie', 'password', 'motd', 'menu', 'bye', 'leave_msg', 'read_msg', 'menu_error', 'posted', 'new_user', 'bad_pass', 'repeat_pass', 'error'] as const) {
      expect(SCREEN_NAMES).toContain(name);
      expect(screens.render(name, undefined).length).toBeGreaterThan(0);
    }
  });

  it('fills placeholders once, without expanding braces inside what callers wrote', () => {
    const screens = loadScreens(SHIPPED_SCREENS);
    const text = screens.render('message', { id: 3, author: 'zed', date: '2026-11-22 04:54 UTC', body: 'I typed {{author}} on purpose' });
    expect(text).toBe('--- #3 from zed, 2026-11-22 04:54 UTC\nI typed {{author}} on purpose');
  });

  it('reports every broken file at once with a coded error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-screens-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(SHIPPED_SCREENS, dir, { recursive: true });
    rmSync(join(dir, 'bye.txt'));
    rmSync(join(dir, 'error.txt'));
    writeFileSync(join(dir, 'posted.txt'), 'Posted as {{number}}.\n');
    let caught: unknown;
    try {
      loadScreens(dir);
    } catch (error) {
      caught = error;
    }
    expect(isBbsError(caught, 'BBS_ERR_SCREEN')).toBe(true);
    const message = (caught as Error).message;
    // Screens the folder lacks come from the shipped folder (one made for an older m2bbs lacks
    // the screens added since): they are not problems.
    expect(message).not.toContain('bye.txt');
    expect(message).not.toContain('error.txt');
    expect(message).toContain(`${join(dir, 'posted.txt')}:1: unknown placeholder {{number}} (this screen offers: id)`);
  });
});
