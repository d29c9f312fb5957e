/**
 * "Try again? (Y/n)" after a write the full board refused: only a plain yes (Enter, y, yes) tries
 * again; `q`, a menu choice or anything else gives up with the text left on screen, so a caller
 * who wants out is not held in a loop of refusals. Real engine, flows, shipped screens and a real
 * SQLite file capped at its size (as --db-max-size does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../common/log.js';
import { openDatabase } from '../db/open-database.js';
import { createStore } from '../db/store.js';
import { isWriteFailure } from '../db/write-failure.js';
import { createHarness, registerAtMenu } from './support/harness.js';
import { wrapText } from '../handler/text-wrap.js';

describe('Try again? (Y/n) on a full board', () => {
  it.each(['q', '1', 'quit', 'n'])('%s gives up: no retry, the text stays on screen, back to the menu', async (answer) => {
    const dir = mkdtempSync(join(tmpdir(), 'm2bbs-retry-'));
    const store = createStore(openDatabase(join(dir, 'bbs.db'), { maxBytes: 1 }));
    const harness = createHarness({ store, log: createLogger('silent') });
    onTestFinished(() => {
      harness.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const alice = await registerAtMenu(harness, '10', 'alice', 'password1');
    const id = store.findCaller('alice')?.id ?? 0;
    for (const size of [2000, 200, 20, 1]) {
      for (;;) {
        try {
          store.postMessage(id, 'f'.repeat(size), 0);
        } catch (err) {
          if (!isWriteFailure(err)) throw err;
          break;
        }
      }
    }

    await alice.say('1');
    await alice.say('Let me out.');
    expect((await alice.say('.'))?.msg).toBe('Try again? (Y/n)');
    // A plain yes does try again, and is refused again.
    expect((await alice.say('y'))?.msg).toBe('Try again? (Y/n)');
    const menu = await alice.say(answer);
    expect(menu?.msg).toContain('MAIN MENU');
    // Wrapped at 80 columns, as a caller nobody told the width of is shown it.
    const notSaved = wrapText('Not saved. What you wrote is on your screen above: copy it if you want to keep it.', 80).split('\n').map((line) => `BBS| ${line}`).join('\n');
    expect(alice.transcript()).toContain(`YOU: ${answer}\n${notSaved}`);
    expect(alice.transcript().match(/NOT saved/g)).toHaveLength(2);
  });
});
