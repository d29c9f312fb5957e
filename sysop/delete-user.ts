/** `m2bbs sysop delete-user NAME --posts keep|delete`: a caller's account closed, what they wrote kept (from a deleted caller) or deleted. */
import type Database from 'better-sqlite3';
import { BbsError } from '../common/errors.js';
import { deleteCaller, type CallerDeleted } from '../db/sysop-board-changes.js';
import { DELETED_CALLER_NAME, findCallerRow, openLinesOf } from '../db/sysop-board.js';
import { FRESH_MS } from '../handler/presence.js';
import { safe } from './board-format.js';
import type { SysopCommand } from './command.js';
import { ordersCarriedOut } from './orders-carried-out.js';
import { noCaller } from './users.js';

/** The screen (and hang-up reason) a caller who is on when their account is deleted sees before the line closes. */
export const ACCOUNT_DELETED = 'account_deleted';

// Backends look for hang-up orders every 250 ms; as kick, a few seconds at most to see it done.

const plural = (count: number, one: string): string => `${count} ${one}${count === 1 ? '' : 's'}`;

function sum(a: CallerDeleted, b: CallerDeleted): CallerDeleted {
  return { posts: a.posts, messages: a.messages + b.messages, wallLines: a.wallLines + b.wallLines, mailSent: a.mailSent + b.mailSent, chatLines: a.chatLines + b.chatLines, mailReceived: a.mailReceived + b.mailReceived };
}

/** `delete-user NAME --posts keep|delete`: a caller's account closed. */
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
    const db = context.database();
    const row = findCallerRow(db, name);
    if (row === undefined || row.deletedAt !== null) throw noCaller(context, name);
    let done = deleteCaller(db, row.id, posts, Date.now());
    // Deleted first, then their lines ordered hung up: from the deletion on no login of theirs
    // gets in (findCaller skips the name, and a login staged before it is refused at its write).
    const { hangUps } = context.store();
    const orders = openLinesOf(db, row.id, Date.now() - FRESH_MS).map((line) => hangUps.order(line, row.id, ACCOUNT_DELETED, Date.now()));
    const hungUp = (await ordersCarriedOut(db, orders.map((order) => order.id))).size;
    // A message they finished while the order was on its way is theirs like the rest.
    if (orders.length > 0) done = sum(done, deleteCaller(db, row.id, posts, Date.now()));
    const wrote = [plural(done.messages, 'message'), plural(done.wallLines, 'wall line'), `${done.mailSent} mail sent`, plural(done.chatLines, 'chat line')].join(', ');
    const kept = posts === 'keep' ? `kept, shown as from "${DELETED_CALLER_NAME}"` : 'deleted';
    const lines = orders.length === 0 ? '' : hungUp === orders.length ? `; hung up (${plural(orders.length, 'line')})` : `; ${plural(orders.length - hungUp, 'line')} ordered hung up, not yet carried out by a backend`;
    const detail = `posts ${posts}: ${wrote} ${kept}; ${done.mailReceived} mail to them deleted${lines}`;
    await context.audit('delete-user', row.name, detail);
    context.out(`Deleted the caller ${safe(row.name)} (${detail}). The name cannot log in or be signed up again.`, {
      deleted: row.name,
      ...done,
      lines: orders.length,
      hungUp,
    });
  },
};
