/**
 * What one caller writes reaches another without anything that acts on the reader's terminal or
 * reorders what they read: escape sequences, C1 controls, BiDi overrides and isolates, zero-width
 * characters and tag characters are gone, in a post, in mail and in a one-liner, over telnet (a
 * UTF-8 terminal, which would show them) and JSON sockets; the words around them are all there.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { JsonSocketClient } from './support/json-socket-client.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

// Each sneaky character the issue names, and its friends, between visible words.
const RLO = '\u202e';
const SNEAKY = [RLO, '\u202d', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u2028', '\u{e0041}', '\u{e007f}', '\u00ad', '\u3164', '\ufe0f', '\u{e0100}', '\u034f', '\u180b', '\u0600', '\u{1d173}'];
const POSTED = `invoice${RLO}fdp.exe zero${'\u200b'}width ${'\u2066'}isolated${'\u2069'} tag${'\u{e0041}\u{e0042}'}ged \u001b[2Jwiped\u009b31m bom\ufeffhere soft\u00adhy\u3164phen vs\ufe0f\u{e0100}\u034f\u180b\u0600\u{1d173}!`;
const SHOWN = 'invoicefdp.exe zerowidth isolated tagged [2Jwiped31m bomhere softhyphen vs!';
const FORBIDDEN = new RegExp(`[${SNEAKY.join('')}\\u009b\\u0007]|\\u001b\\[2J`, 'u');

async function signUp(bbs: TestBbs, name: string): Promise<JsonSocketClient> {
  const caller = await JsonSocketClient.open(bbs.frontPort, '@bbs');
  onTestFinished(() => caller.destroy());
  for (const line of ['connect', name, 'sneaky-pw-1', 'Y', 'sneaky-pw-1', 'Y']) await caller.exchange(line);
  return caller;
}

describe('text one caller writes for another', () => {
  let bbs: TestBbs;
  beforeAll(async () => {
    bbs = await startTestBbs({ backends: 2, batch: true, telnetNegotiationMs: 100 });
  });
  afterAll(async () => {
    await bbs.close();
  });

  it('reaches the reader without BiDi overrides, zero-width or tag characters, escapes or C1 controls', async () => {
    const reader = await TelnetCaller.open(bbs.telnetPort, 'xterm-256color');
    onTestFinished(() => reader.close());
    await reader.signUpToMenu('mallory-reader', 'reader-pw-1');

    const writer = await signUp(bbs, 'mallory');
    await writer.exchange('1');
    await writer.exchange(POSTED);
    expect((await writer.exchange('.')).texts.join('\n')).toContain('on the board');
    await writer.exchange('3');
    await writer.exchange('mallory-reader');
    await writer.exchange(`mail: ${POSTED}`);
    expect((await writer.exchange('.')).texts.join('\n')).toMatch(/sent|mail/i);

    const board = await reader.type('2', "That's all");
    await reader.type('', 'MAIN MENU');
    expect(board).toContain(SHOWN);
    expect(board).not.toMatch(FORBIDDEN);
    const mail = await reader.type('4', `mail: ${SHOWN}`);
    expect(mail).not.toMatch(FORBIDDEN);

    // The JSON-socket reader gets the text exactly, before any door renders it.
    const other = await signUp(bbs, 'json-reader');
    const read = (await other.exchange('2')).texts.join('\n');
    expect(read).toContain(SHOWN);
    expect(read).not.toMatch(FORBIDDEN);
  });

  it('shows a post stored before these characters were dropped without them', async () => {
    const reader = await signUp(bbs, 'old-board-reader');
    const db = new Database(bbs.dbFile);
    onTestFinished(() => {
      db.close();
    });
    const author = db.prepare('SELECT id FROM callers WHERE name = ?').get('old-board-reader') as { id: number };
    db.prepare('INSERT INTO messages (author_id, body, created_at) VALUES (?, ?, ?)').run(author.id, `from the old days ${RLO}txt.exe${'\u200b'}!`, Date.now());
    const read = (await reader.exchange('2')).texts.join('\n');
    expect(read).toContain('from the old days txt.exe!');
    expect(read).not.toMatch(FORBIDDEN);
  });
});
