/** `m2bbs sysop delete-user NAME --posts keep|delete`: a caller's account closed, what they wrote kept (from a deleted caller) or deleted. */
import { BbsError } from '../common/errors.js';
import { deleteCaller } from '../db/sysop-board-changes.js';
import { DELETED_CALLER_NAME, findCallerRow } from '../db/sysop-board.js';
import { safe } from './board-format.js';
import type { SysopCommand } from './command.js';
import { noCaller } from './users.js';

/** The screen (and hang-up reason) a caller who is on when their account is deleted sees before the line closes. */
export const ACCOUNT_DELETED = 'account_deleted';

const plural = (count: number, one: string): string => `${count} ${one}${count === 1 ? '' : 's'}`;

export const DELETE_USER: SysopCommand = {
  name: 'delete-user',
  args: 'NAME',
  summary: 'close a caller\'s account (--posts keep: shown as from a deleted caller; --posts delete: gone); hung up if on',
  minArgs: 1,
  maxArgs: 1,
  flags: ['posts'],
  async run(context, [name = '']) {
    const posts = context.flags.posts;
    if (posts !== 'keep' && posts !== 'delete') {
      throw new BbsError('BBS_ERR_USAGE', 'm2bbs sysop: delete-user needs --posts keep (their posts stay, shown as from "a deleted caller") or --posts delete (they go)');
    }
    const row = findCallerRow(context.database(), name);
    if (row === undefined || row.deletedAt !== null) throw noCaller(context, name);
    const now = Date.now();
    const done = deleteCaller(context.database(), row.id, posts, now);
    // Deleted first, then their line read: a login begun before the deletion that has taken its
    // line since is the one ordered hung up (a deleted name cannot start a login: findCaller skips it).
    const hangUps = context.store().hangUps;
    const line = hangUps.lineOf(row.id);
    if (line !== undefined) hangUps.order(line, row.id, ACCOUNT_DELETED, now);
    const wrote = [plural(done.messages, 'message'), plural(done.wallLines, 'wall line'), `${done.mailSent} mail sent`, plural(done.chatLines, 'chat line')].join(', ');
    const kept = posts === 'keep' ? `kept, shown as from "${DELETED_CALLER_NAME}"` : 'deleted';
    const detail = `posts ${posts}: ${wrote} ${kept}; ${done.mailReceived} mail to them deleted${line === undefined ? '' : '; their line ordered hung up'}`;
    context.audit('delete-user', row.name, detail);
    context.out(`Deleted the caller ${safe(row.name)} (${detail}). The name cannot log in or be signed up again.`, {
      deleted: row.name,
      ...done,
      hungUp: line !== undefined,
    });
  },
};
