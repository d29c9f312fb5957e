/**
 * What the failover soak finds in the database: how many times each tagged post and mail is
 * stored (a tag is the first word of every line of its body), against what the callers were told.
 */
import Database from 'better-sqlite3';
import type { TaggedWrite } from './failover-walk.js';

/** The soak's verdict on its writes. */
export interface WriteCheck {
  /** Posts and mails the caller was told are stored (or was taken back to the menu after). */
  readonly finished: number;
  /** Of those, in the database exactly once. */
  readonly stored: number;
  /** Told stored, not in the database. */
  readonly lost: number;
  /** In the database more than once (any write, told or not). */
  readonly doubled: number;
  /** The BBS said NOT saved. */
  readonly refused: number;
  /** Cut off by the end of the run; in the database or not, both are right. */
  readonly unfinished: number;
  readonly lostTags: string[];
  readonly doubledTags: string[];
}

/** Counts the stored copies of every write in the SQLite file `db` (read only, while the BBS runs). */
export function checkWrites(db: string, writes: readonly TaggedWrite[]): WriteCheck {
  const copies = new Map<string, number>();
  const file = new Database(db, { readonly: true, fileMustExist: true });
  try {
    for (const table of ['messages', 'mail'] as const) {
      for (const body of file.prepare<[], string>(`SELECT body FROM ${table}`).pluck().iterate()) {
        const tag = /^(\S+) line 1 of /.exec(body)?.[1];
        if (tag !== undefined) copies.set(`${table}:${tag}`, (copies.get(`${table}:${tag}`) ?? 0) + 1);
      }
    }
  } finally {
    file.close();
  }
  const check = { finished: 0, stored: 0, lost: 0, doubled: 0, refused: 0, unfinished: 0, lostTags: [] as string[], doubledTags: [] as string[] };
  for (const write of writes) {
    const count = copies.get(`${write.kind === 'post' ? 'messages' : 'mail'}:${write.tag}`) ?? 0;
    if (count > 1) {
      check.doubled++;
      check.doubledTags.push(`${write.tag} x${count}`);
    }
    if (write.refused) check.refused++;
    else if (!write.finished) check.unfinished++;
    else {
      check.finished++;
      if (count === 0) {
        check.lost++;
        check.lostTags.push(write.tag);
      } else if (count === 1) check.stored++;
    }
  }
  return check;
}
