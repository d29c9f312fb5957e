/**
 * `m2bbs sysop replay CALL`: what one caller saw and typed, screen by screen, rebuilt from their
 * call's journal (handler/call-transcript.ts), passwords as `***`. CALL is the call's id (the
 * SESSION the proxy named it, or `m2/...` behind Mongrel2, as `who --json` and the logs say), the
 * proxy's connection number, or a caller's name (their latest call). Reading a call is recorded.
 */
import type Database from 'better-sqlite3';
import { displaySafe } from '../common/display-safe.js';
import { BbsError } from '../common/errors.js';
import { KEPT_HISTORY_ROWS } from '../db/journal-store.js';
import { SHIPPED_SCREENS } from '../handler/config.js';
import { transcriptOf, type TranscriptEntry } from '../handler/call-transcript.js';
import { bbs } from '../handler/flows/bbs.js';
import { DEFAULT_LIMITS } from '../handler/limits.js';
import { loadScreenSet } from '../handler/screens.js';
import type { SysopCommand } from './command.js';

const SESSION_ID = /^[0-9a-f]{32}$/;
const CONNECTION = /^[0-9]{1,15}$/;
// The start of a call id, as `m2bbs sysop who` shows it (its first 8 hex digits; 6 at least).
const ID_START = /^[0-9a-f]{6,31}$/;

/** The conversation `call` names: an id or the start of one (as `who` shows it), the newest on a proxy connection number, or a caller's newest. */
function conversationOf(db: Database.Database, call: string): string | undefined {
  if (SESSION_ID.test(call) || call.startsWith('m2/')) return db.prepare<[string], string>('SELECT id FROM conversations WHERE id = ?').pluck().get(call);
  if (ID_START.test(call)) {
    const ids = db.prepare<[string, string], string>('SELECT id FROM conversations WHERE substr(id, 1, length(?)) = ? LIMIT 2').pluck().all(call, call);
    if (ids.length > 1) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop replay: more than one call starts with ${call}; give more of its id`);
    if (ids.length === 1) return ids[0];
  }
  if (CONNECTION.test(call)) {
    const named = db.prepare<[string], number>('SELECT 1 FROM callers WHERE name = ?').pluck().get(call) !== undefined;
    if (named) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop replay: ${call} is both a caller's name and a connection number; give the call's id (m2bbs sysop who --json)`);
    return db.prepare<[number], string>('SELECT id FROM conversations WHERE conn = ? ORDER BY opened_at DESC, rowid DESC LIMIT 1').pluck().get(Number(call));
  }
  return db
    .prepare<[string], string>('SELECT c.id FROM conversations c JOIN callers k ON k.id = c.caller_id WHERE k.name = ? ORDER BY c.opened_at DESC, c.rowid DESC LIMIT 1')
    .pluck()
    .get(call);
}

function lineOf(entry: TranscriptEntry): string {
  const indent = (prefix: string, text: string): string => text.split('\n').map((line, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + line).join('\n');
  switch (entry.kind) {
    case 'screen':
      return indent('BBS: ', entry.text);
    case 'event':
      return indent('BBS! ', entry.text);
    case 'prompt':
      return indent('BBS> ', entry.text);
    case 'typed':
      // What the caller typed went to the journal as it came: printed on the sysop's terminal it
      // must not move its cursor, retitle it or set its clipboard (screens are made safe already).
      return `YOU: ${displaySafe(entry.text)}`;
    case 'note':
      return `-- ${entry.text} --`;
  }
}

export const REPLAY: SysopCommand = {
  name: 'replay',
  args: 'CALL|CONN|NAME',
  summary: "what a caller saw and typed in a call, screen by screen (passwords as ***)",
  minArgs: 1,
  maxArgs: 1,
  flags: ['screens'],
  async run(context, [call]) {
    const db = context.database();
    const id = conversationOf(db, call as string);
    if (id === undefined) throw new BbsError('BBS_ERR_SYSOP_NOT_FOUND', `m2bbs sysop replay: no call "${String(call)}" in ${context.db} (give a call id from m2bbs sysop who --json, a connection number, or a caller's name; ended calls are kept a week)`);
    const history = context.store().journal.history(id);
    if (history === undefined) throw new BbsError('BBS_ERR_SYSOP_NOT_FOUND', `m2bbs sysop replay: call ${id} is gone`);
    const screens = await loadScreenSet(context.flags.screens ?? SHIPPED_SCREENS);
    const entries = transcriptOf(history.rows, screens, (start) => bbs(DEFAULT_LIMITS, start));
    const caller = history.callerId === null ? null : db.prepare<[number], string>('SELECT name FROM callers WHERE id = ?').pluck().get(history.callerId) ?? null;
    await context.audit('replay', id);
    const trimmed = history.keptFrom === 0 ? '' : ` (its first ${history.keptFrom} were deleted while the call went on: a call keeps ${KEPT_HISTORY_ROWS} to ${2 * KEPT_HISTORY_ROWS} rows before where it stands; this starts at a checkpoint, the top of a menu or a chat room)`;
    const heading = `Call ${id}${caller === null ? '' : ` of ${caller}`}, from ${new Date(history.openedAt).toISOString()} ${history.closedAt === null ? '(not ended)' : `to ${new Date(history.closedAt).toISOString()}`}: ${history.rows.length} journal rows${trimmed}`;
    context.out([heading, ...entries.map(lineOf)].join('\n'), { call: id, caller, openedAt: history.openedAt, closedAt: history.closedAt, keptFrom: history.keptFrom, entries });
  },
};
