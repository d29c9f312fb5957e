/**
 * What a failover-soak caller types: the menu walk of walk.ts (read, post, read, inbox, mail),
 * with every post and mail tagged so the soak can find it in the database afterwards, and a
 * record of each write: typed, finished (the caller was told it is stored, or was taken back to
 * the menu after the `.`), refused (the BBS said it was not saved).
 */
import { Walk, type Action } from './walk.js';

/** One post or mail a caller wrote, and what it was told about it. */
export interface TaggedWrite {
  readonly kind: 'post' | 'mail';
  /** The first word of every line of its body, unique in the run. */
  readonly tag: string;
  /** The `.` that ends it was typed. */
  ended: boolean;
  /** The caller saw "on the board as number" / "Sent to", or the menu after the `.`. */
  finished: boolean;
  /** The BBS said it was NOT saved. */
  refused: boolean;
}

/** Lines in a post and in a mail: several, so a kill often lands in the middle of one. */
export const POST_LINES = 3;
export const MAIL_LINES = 2;

/** The menu walk, with each post and mail tagged and its outcome kept. */
export class FailoverWalk extends Walk {
  readonly writes: TaggedWrite[] = [];
  private current: TaggedWrite | undefined;
  private linesLeft = 0;

  constructor(
    name: string,
    password: string,
    /** Whom this caller mails. */
    pen: string,
    /** A short unique prefix for this caller's tags. */
    private readonly prefix: string,
    start: number,
  ) {
    super(name, password, pen, start);
  }

  /** A screen the caller was shown: the confirmations and refusals of a write. */
  shown(text: string): void {
    const write = this.current;
    if (write === undefined || !write.ended) return;
    if (/on the board as number|^Sent to /m.test(text)) write.finished = true;
    if (/NOT saved|^Not saved/m.test(text)) write.refused = true;
  }

  protected override compose(): string {
    const write = this.current;
    if (write === undefined || this.linesLeft <= 0) {
      if (write !== undefined) write.ended = true;
      return '.';
    }
    const total = write.kind === 'post' ? POST_LINES : MAIL_LINES;
    const line = total - this.linesLeft + 1;
    this.linesLeft--;
    return `${write.tag} line ${line} of ${total} from ${this.name}`;
  }

  protected override begin(action: Action): void {
    // Back at the menu after the `.`: the write is over, told or not.
    if (this.current?.ended === true) this.current.finished = true;
    this.current = undefined;
    if (action === 'post' || action === 'mail') {
      this.current = { kind: action, tag: `${this.prefix}${action === 'post' ? 'p' : 'm'}${this.writes.length}`, ended: false, finished: false, refused: false };
      this.writes.push(this.current);
      this.linesLeft = action === 'post' ? POST_LINES : MAIL_LINES;
    }
  }
}
