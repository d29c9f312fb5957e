/** `m2bbs sysop users [--search TEXT]` and `m2bbs sysop user NAME`: the board's callers, from its database. */
import { callerDetail, DELETED_CALLER_NAME, findCallerRow, listCallers, type CallerDetail } from '../db/sysop-board.js';
import { iso, notFound, safe, when } from './board-format.js';
import type { SysopCommand, SysopContext } from './command.js';
import { textTable } from './text-table.js';

/** The exit-3 error for a name the board has no caller of (or had, deleted). */
export function noCaller(context: SysopContext, name: string): Error {
  const row = findCallerRow(context.database(), name);
  const deleted = row?.deletedAt ?? null;
  if (row?.name === DELETED_CALLER_NAME) return notFound(`"${DELETED_CALLER_NAME}" is no caller: deleted callers' kept posts are shown under that name (messages --from "${DELETED_CALLER_NAME}" lists them)`);
  return notFound(deleted === null ? `no caller named ${JSON.stringify(name)}` : `the caller ${JSON.stringify(row?.name ?? name)} was deleted on ${when(deleted)}`);
}

/** `users [--search TEXT]`: the callers signed up. */
export const USERS: SysopCommand = {
  name: 'users',
  args: '',
  summary: 'the callers signed up (name, created, calls, last call, banned)',
  minArgs: 0,
  maxArgs: 0,
  flags: ['search'],
  async run(context) {
    const search = context.flags.search;
    const callers = listCallers(context.database(), search);
    const rows = callers.map((c) => [c.name, when(c.createdAt), String(c.calls), when(c.lastCallAt), c.banned ? 'banned' : '']);
    const text = callers.length === 0
      ? (search === undefined ? 'No callers have signed up.' : `No caller's name contains ${JSON.stringify(search)}.`)
      : textTable(['NAME', 'CREATED', 'CALLS', 'LAST CALL', 'BANNED'], rows);
    context.out(text, callers.map((c) => ({ name: c.name, createdAt: iso(c.createdAt), calls: c.calls, lastCallAt: iso(c.lastCallAt), banned: c.banned })));
  },
};

function detailText(c: CallerDetail): string {
  const ban = c.ban === null ? 'no' : `yes, by ${safe(c.ban.madeBy)} on ${when(c.ban.madeAt)}${c.ban.reason === null ? '' : `: ${safe(c.ban.reason)}`}`;
  return [
    safe(c.name),
    `  created               ${when(c.createdAt)}`,
    `  calls                 ${c.calls}`,
    `  last call             ${when(c.lastCallAt)}`,
    `  posts                 ${c.posts}`,
    `  mail                  ${c.mailSent} sent, ${c.mailReceived} received`,
    `  banned                ${ban}`,
    `  must change password  ${c.mustChangePassword ? 'yes' : 'no'}`,
  ].join('\n');
}

/** `user NAME`: one caller in full. */
export const USER: SysopCommand = {
  name: 'user',
  args: 'NAME',
  summary: 'one caller: created, calls, last call, posts, mail, banned, password to change',
  minArgs: 1,
  maxArgs: 1,
  flags: [],
  async run(context, [name = '']) {
    const c = callerDetail(context.database(), name);
    if (c === undefined) throw noCaller(context, name);
    context.out(detailText(c), {
      name: c.name,
      createdAt: iso(c.createdAt),
      calls: c.calls,
      lastCallAt: iso(c.lastCallAt),
      posts: c.posts,
      mail: { sent: c.mailSent, received: c.mailReceived },
      banned: c.ban === null ? null : { reason: c.ban.reason, by: c.ban.madeBy, at: iso(c.ban.madeAt) },
      mustChangePassword: c.mustChangePassword,
    });
  },
};
