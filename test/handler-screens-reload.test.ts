import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeMongrel2 } from './support/fake-mongrel2.js';
import { HandlerProcess } from './support/handler-process.js';
import { MAIN_MENU, mainMenu } from './support/main-menu.js';
import { RULES_TXT, screenFolder, type ScreenFolder } from './support/screen-folder.js';

const WITH_RULES = mainMenu('5. The rules of this board.');
const RULES_FOR_ALICE = "\x1b[33m\x1b[1mTHE RULES OF THIS BOARD\x1b[0m\n1. Be kind, alice. Everyone here was new once.\n2. No spam, no ads, no chain letters.\n3. The sysop's word is final.";

// A real `m2bbs handler` process with its own screens folder, behind real ZeroMQ sockets.
describe('m2bbs handler while the sysop edits its screens folder', () => {
  let m2: FakeMongrel2;
  let handler: HandlerProcess;
  let folder: ScreenFolder;

  beforeEach(async () => {
    folder = screenFolder();
    m2 = await FakeMongrel2.start();
    handler = HandlerProcess.start(['--send-spec', m2.sendSpec, '--recv-spec', m2.recvSpec, '--screens', folder.dir, '--bad-pass-delay-ms', '0']);
    await handler.ready();
  });

  afterEach(async () => {
    expect(await handler.stop()).toBe(0);
    await m2.close();
  });

  async function aliceAtTheMainMenu(connId: string): Promise<string | undefined> {
    await m2.say(connId, 'connect');
    await m2.untilPrompt(connId);
    await m2.exchange(connId, 'alice');
    await m2.exchange(connId, 'wonderland');
    await m2.exchange(connId, 'y');
    await m2.exchange(connId, 'wonderland');
    return (await m2.exchange(connId, '')).prompt?.msg;
  }

  it('offers a new screen at the next menu display, and serves the version in force when a change is broken', async () => {
    expect(await aliceAtTheMainMenu('1')).toBe(MAIN_MENU);

    // The sysop drops rules.txt in while alice sits at the main menu.
    let mark = handler.records.length;
    folder.replace('rules.txt', RULES_TXT);
    expect(await handler.waitForLog((r) => r.msg === 'screens reloaded', mark)).toMatchObject({ level: 'info', dir: folder.dir, version: 2, menus: ['main'] });
    expect((await m2.exchange('1', '')).prompt?.msg).toBe(WITH_RULES);
    expect(await m2.exchange('1', '5')).toEqual({ texts: [RULES_FOR_ALICE, WITH_RULES], prompt: expect.objectContaining({ msg: WITH_RULES }), closed: false });

    // A change that breaks the file, and a menu that leads nowhere: both refused, both named.
    mark = handler.records.length;
    folder.replace('rules.txt', RULES_TXT.replace('The rules of this board.', 'House rules.').replace('{{name}}', '{{nmae}}'));
    const refused = await handler.waitForLog((r) => r.msg === 'screens not reloaded', mark);
    expect(refused).toMatchObject({ level: 'error', dir: folder.dir, version: 2 });
    expect(refused.problems).toEqual([`${folder.path('rules.txt')}:7: unknown placeholder {{nmae}} (this screen offers: name, calls, last_call, now, messages, new_mail)`]);
    mark = handler.records.length;
    folder.replace('games.menu', 'menu: main\nkey: G\nlabel: Games.\n1. Chess. -> flow chess\nQ. Back. -> back\n');
    const stillRefused = await handler.waitForLog((r) => r.msg === 'screens not reloaded', mark);
    expect(stillRefused.problems).toEqual([
      `${folder.path('games.menu')}:4: entry 1 points nowhere: there is no flows/chess.ts`,
      `${folder.path('rules.txt')}:7: unknown placeholder {{nmae}} (this screen offers: name, calls, last_call, now, messages, new_mail)`,
    ]);

    // Alice is served by the version before the breakage: the same menu, the same rules.
    expect((await m2.exchange('1', '')).prompt?.msg).toBe(WITH_RULES);
    expect((await m2.exchange('1', '5')).texts[0]).toBe(RULES_FOR_ALICE);
    // A new caller gets it too.
    await m2.say('2', 'connect');
    expect((await m2.untilPrompt('2')).prompt?.msg).toContain("What's your name?");

    // Once both files are fixed, the next display shows the new version.
    mark = handler.records.length;
    folder.remove('games.menu');
    folder.replace('rules.txt', RULES_TXT.replace('The rules of this board.', 'House rules.'));
    await handler.waitForLog((r) => r.msg === 'screens reloaded', mark);
    expect((await m2.exchange('1', '')).prompt?.msg).toContain('\n5. House rules.\nQ. Quit the BBS.');
    expect((await m2.exchange('1', 'q')).closed).toBe(true);
  });

  it('loads a flow module dropped into flows/, refusing it while it does not compile', async () => {
    expect(await aliceAtTheMainMenu('3')).toBe(MAIN_MENU);
    folder.write('poll.txt', 'Tea or coffee, {{name}}?\n');
    folder.write('poll_thanks.txt', 'Noted: {{answer}}.\n');
    const broken = "export const screens = { poll: ['name'], poll_thanks: ['answer'] } as const;\n\nexport default function* poll(kit: any) {\n  const answer = yield* kit.ask('poll', { name: kit.caller.name };\n}\n";
    let mark = handler.records.length;
    folder.replace('main.menu', 'title: MAIN MENU\n1. Leave a message. -> leave_message\nP. Today\'s poll. -> flow poll\nQ. Quit the BBS. -> quit\n');
    folder.replace('flows/poll.ts', broken);
    // Two files change; the log line that matters is the one that has seen both.
    const refused = await handler.waitForLog((r) => r.msg === 'screens not reloaded' && JSON.stringify(r.problems).includes('flows/poll did not load'), mark);
    expect(refused.problems).toEqual([
      expect.stringMatching(new RegExp(`^${folder.path('flows/poll.ts')}:4: cannot be loaded: Expected "\\)" but found ";"$`)),
      `${folder.path('main.menu')}:3: entry P points nowhere: flows/poll did not load`,
    ]);
    expect((await m2.exchange('3', '')).prompt?.msg).toBe(MAIN_MENU);

    mark = handler.records.length;
    folder.replace('flows/poll.ts', broken.replace('kit.caller.name };', 'kit.caller.name });').replace('\n}\n', "\n  yield* kit.show('poll_thanks', { answer: answer.trim() });\n}\n"));
    expect(await handler.waitForLog((r) => r.msg === 'screens reloaded', mark)).toMatchObject({ flows: ['guess', 'oneliners', 'poll'] });
    expect((await m2.exchange('3', '')).prompt?.msg).toBe("---(((MAIN MENU))---\n1. Leave a message.\nP. Today's poll.\nQ. Quit the BBS.");
    expect((await m2.exchange('3', 'p')).prompt?.msg).toBe('Tea or coffee, alice?');
    expect((await m2.exchange('3', ' tea ')).texts[0]).toBe('Noted: tea.');
  });
});
