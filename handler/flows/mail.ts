/** Private mail: sending to another caller and reading one's own, unread first. */
import { mailCursorAfter, type MailCursor } from '../../db/mail-store.js';
import type { Caller } from '../../db/store.js';
import { isWriteFailure } from '../../db/write-failure.js';
import { ask, call, show, type Flow } from '../effects.js';
import type { Limits } from '../limits.js';
import { composeBody } from './compose.js';
import { bodyShown, formatDate } from './format.js';
import { storeOrOffer } from './not-saved.js';
import { wantsMore } from './messages.js';
import { mayStore, mayWrite } from './writing-limit.js';

/** Menu entry 3: writes mail to a caller who must exist. */
export function* sendMail(caller: Caller, limits: Limits): Flow {
  if (!(yield* mayWrite(caller, limits))) return;
  const name = (yield* ask('mail_to')).trim();
  if (name === '') return;
  const recipient = yield* call('findCaller', name);
  if (recipient === undefined) {
    yield* show('no_such_user', { name });
    return;
  }
  yield* show('mail_compose', { to: recipient.name, max_lines: limits.maxLines, max_length: limits.maxLineLength });
  const body = yield* composeBody(limits, [], { callerId: caller.id, what: `mail to ${recipient.name}` });
  if (body === undefined) {
    yield* show('nothing_posted');
    return;
  }
  if (!(yield* mayStore(caller, limits, body))) return;
  const sent = yield* storeOrOffer(`mail to ${recipient.name}`, body, function* () {
    return (yield* call('sendMail', caller.id, recipient.id, body)) ?? NO_RECIPIENT;
  });
  if (sent === NO_RECIPIENT) {
    // Deleted by the sysop while the caller wrote: said plainly, the text shown back.
    yield* show('no_such_user', { name: recipient.name });
    yield* show('kept_text', { body });
  } else if (sent !== undefined) yield* show('mail_sent', { to: recipient.name });
}

// What sendMail's write gives when the recipient is no caller any more, apart from "not stored" (undefined).
const NO_RECIPIENT = 'no recipient';

/**
 * Menu entry 4: reads the caller's mail, unread first, marking each page read once shown. Each
 * page is fetched from where the last ended (a cursor), so a visit reads and journals the pages
 * it shows, not the whole inbox.
 */
export function* readMail(caller: Caller, limits: Limits): Flow {
  const inbox = yield* call('openInbox', caller.id);
  if (inbox.total === 0) {
    yield* show('no_mail');
    return;
  }
  yield* show('inbox', { unread: inbox.unread, total: inbox.total });
  let after: MailCursor | undefined;
  for (;;) {
    const { mails, more } = yield* call('mailPage', caller.id, after, inbox.openedAt, limits.pageSize);
    for (const item of mails) {
      yield* show('mail_item', {
        from: item.from,
        date: formatDate(item.createdAt),
        body: bodyShown(item.body),
        status: item.readAt === null ? 'NEW' : 'read',
      });
    }
    // Mail that cannot be marked read stays unread (the services log why); reading goes on.
    try {
      if (mails.length > 0) yield* call('markMailRead', caller.id, mails.map((item) => item.id), inbox.openedAt);
    } catch (err) {
      if (!isWriteFailure(err)) throw err;
    }
    const last = mails[mails.length - 1];
    if (!more || last === undefined) break;
    if (!(yield* wantsMore())) return;
    after = mailCursorAfter(last);
  }
  yield* show('end_of_list');
}
