/** `m2bbs sysop messages [--area A] [--from NAME]`, `delete-message ID` and `move-message ID AREA`: the board's messages, in its database. */
import { deleteMessage, moveMessage } from '../db/sysop-board-changes.js';
import { DELETED_CALLER_NAME, findArea, findCallerRow, firstLine, listBoardMessages, type AreaRef } from '../db/sysop-board.js';
import { iso, messageId, notFound, safe, when } from './board-format.js';
import type { SysopCommand, SysopContext } from './command.js';
import { textTable } from './text-table.js';
import { noCaller } from './users.js';

// A listing's line per message: the first line is cut here, the whole message is on the board.
const FIRST_LINE_MAX = 60;

function areaNamed(context: SysopContext, name: string): AreaRef {
  const area = findArea(context.database(), name);
  if (area === undefined) throw notFound(`no area named ${JSON.stringify(name)} (the areas are those of screens/areas.conf, and general)`);
  return area;
}

function authorId(context: SysopContext, name: string): number {
  const row = findCallerRow(context.database(), name);
  // Deleted callers' kept posts are all under one name, which --from can name.
  if (row === undefined || (row.deletedAt !== null && row.name !== DELETED_CALLER_NAME)) throw noCaller(context, name);
  return row.id;
}

function cut(line: string): string {
  // By code points: a cut never splits an emoji's surrogate pair.
  const chars = Array.from(line);
  return chars.length > FIRST_LINE_MAX ? `${chars.slice(0, FIRST_LINE_MAX - 3).join('')}...` : line;
}

/** `messages [--area AREA] [--from NAME]`: the messages on the board. */
export const MESSAGES: SysopCommand = {
  name: 'messages',
  args: '',
  summary: 'the messages on the board (number, area, author, date, first line)',
  minArgs: 0,
  maxArgs: 0,
  flags: ['area', 'from'],
  async run(context) {
    const { area, from } = context.flags;
    const filter = { areaId: area === undefined ? undefined : areaNamed(context, area).id, authorId: from === undefined ? undefined : authorId(context, from) };
    const messages = listBoardMessages(context.database(), filter);
    const rows = messages.map((m) => [String(m.id), m.archived ? `${m.area} (archived)` : m.area, m.author, when(m.createdAt), cut(firstLine(m.body))]);
    const text = messages.length === 0 ? 'No messages.' : textTable(['ID', 'AREA', 'AUTHOR', 'DATE', 'FIRST LINE'], rows);
    context.out(text, messages.map((m) => ({ id: m.id, area: m.area, archived: m.archived, author: m.author, createdAt: iso(m.createdAt), replyTo: m.replyTo, firstLine: firstLine(m.body) })));
  },
};

/** `delete-message ID`: a message gone from the board. */
export const DELETE_MESSAGE: SysopCommand = {
  name: 'delete-message',
  args: 'ID',
  summary: 'delete a message from the board (replies stay, without its quote)',
  minArgs: 1,
  maxArgs: 1,
  flags: [],
  async run(context, [text = '']) {
    const id = messageId('delete-message', text);
    const deleted = deleteMessage(context.database(), id);
    if (deleted === undefined) throw notFound(`no message ${id}`);
    const detail = `${deleted.area}, by ${deleted.author}: ${cut(deleted.firstLine)}`;
    await context.audit('delete-message', String(id), detail);
    context.out(`Deleted message ${id} (${safe(detail)}).`, { deleted: { id, area: deleted.area, author: deleted.author, firstLine: deleted.firstLine } });
  },
};

/** `move-message ID AREA`: a message moved to another area. */
export const MOVE_MESSAGE: SysopCommand = {
  name: 'move-message',
  args: 'ID AREA',
  summary: 'move a message to another area (it gets the next number there)',
  minArgs: 2,
  maxArgs: 2,
  flags: [],
  async run(context, [text = '', name = '']) {
    const id = messageId('move-message', text);
    const area = areaNamed(context, name);
    const moved = moveMessage(context.database(), id, area.id);
    if (moved === undefined) throw notFound(`no message ${id}`);
    const json = { id, from: moved.area, to: moved.to, newId: moved.newId, author: moved.author };
    if (moved.newId === id) {
      context.out(`Message ${id} is in ${moved.to} already: nothing changed.`, { ...json, moved: false });
      return;
    }
    await context.audit('move-message', String(id), `${moved.area} -> ${moved.to} as ${moved.newId}`);
    const hidden = area.archived ? ` ${area.name} is archived: callers see it once its line is back in screens/areas.conf.` : '';
    context.out(`Moved message ${id} (by ${safe(moved.author)}) from ${moved.area} to ${moved.to}: it is number ${moved.newId} there.${hidden}`, { ...json, moved: true });
  },
};
