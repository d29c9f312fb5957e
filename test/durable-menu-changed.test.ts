/**
 * A caller moved while at a menu the sysop changed meanwhile sees the menu as it is now, at once
 * (decision 7 of issue 16). Through the real proxy and two real backends on a copied screens
 * folder: a caller at the main menu, an entry added to main.menu, the serving backend killed; the
 * backend that takes the call over shows the main menu with the new entry as the prompt, and the
 * new entry works.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { screenFolder } from './support/screen-folder.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

let bbs: TestBbs | undefined;
let caller: JsonSocketClient | undefined;
afterEach(async () => {
  caller?.destroy();
  await bbs?.close();
  [bbs, caller] = [undefined, undefined];
});

// The shipped main menu with one more entry, 5, which reads the board.
const MORE_MAIN_MENU = 'title: MAIN MENU\n1. Leave a message. -> leave_message\n2. Read messages left. -> read_messages\n3. Send to someone else. -> send_mail\n4. Read messages to you. -> read_mail\n5. Messages again. -> read_messages\nQ. Quit the BBS. -> quit\n';

describe('a caller moved while at a menu that gained an entry', () => {
  it('is shown the new menu, with the new entry, as the prompt after the move, and the entry works', async () => {
    const folder = screenFolder();
    bbs = await startTestBbs({ backends: 2, batch: true, handlerArgs: ['--screens', folder.dir] });
    caller = await JsonSocketClient.open(bbs.frontPort);
    await caller.exchange('connect');
    for (const line of ['mona', 'secret12', 'y', 'secret12']) await caller.exchange(line);
    const atMenu = await caller.exchange('');
    expect(atMenu.prompt?.msg).toContain('MAIN MENU');
    expect(atMenu.prompt?.msg).not.toContain('5. Messages again.');

    const logged = bbs.handlers.map((h) => h.records.length);
    folder.replace('main.menu', MORE_MAIN_MENU);
    await Promise.all(bbs.handlers.map((h, i) => h.waitForLog((r) => r.msg === 'screens reloaded', logged[i])));
    const serving = bbs.proxy.switchboard.directory().findIndex((n) => n.inUse > 0);
    const heir = bbs.handlers[1 - serving];
    const heirLogged = heir?.records.length ?? 0;
    bbs.handlers[serving]?.child.kill('SIGKILL');

    // The proxy's one line, then the main menu as it is now: no "board was updated" notice.
    const moved = await caller.untilPrompt();
    expect(moved.texts[0]).toBe(`-- line moved to @bbs.${10 + 1 - serving} --`);
    expect(moved.texts.join('\n')).not.toContain('updated');
    expect(moved.prompt?.msg).toContain('MAIN MENU');
    expect(moved.prompt?.msg).toContain('5. Messages again.');
    await heir?.waitForLog((r) => r.msg === 'conversation taken over', heirLogged);

    // The new entry is there to choose, still logged in as mona.
    expect((await caller.exchange('5')).texts.join('\n')).toMatch(/no messages|board is empty|Messages/i);
  });
});
