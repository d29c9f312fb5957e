/**
 * What a simulated caller types: it recognises each prompt of the m2bbs conversation by its text
 * (as a person reads the screen) and answers it, then walks the main menu in a fixed cycle:
 * read the board, post a message, read the board, read mail, send mail.
 */

/** A prompt as a caller sees it: the text shown since the last line typed, and what the BBS said of it. */
export interface Prompt {
  readonly text: string;
  /** False for a password prompt, when the door says so (JSON replies do, telnet does not). */
  readonly echo: boolean | undefined;
}

export type PromptKind = 'name' | 'password' | 'repeat-password' | 'sign-up' | 'motd' | 'menu' | 'compose' | 'more' | 'mail-to' | 'unknown';

const COMPOSE = /(^|\n)\s*\d+> ?$/;

/** Names a prompt by what it says; the order matters, as a telnet caller sees screens and prompt together. */
export function classify(prompt: Prompt): PromptKind {
  const text = prompt.text.toLowerCase();
  if (COMPOSE.test(text)) return 'compose';
  if (text.includes('enter for more')) return 'more';
  // The end of an area asks too (R would reply): answered as a page prompt, Enter or q going on.
  if (text.includes("that's all in")) return 'more';
  if (text.includes('main menu')) return 'menu';
  if (text.includes('continue? (y/n)')) return 'motd';
  if (text.includes('sign up as')) return 'sign-up';
  if (text.includes('password again')) return 'repeat-password';
  if (prompt.echo === false || text.includes('password')) return 'password';
  if (text.includes('send to whom')) return 'mail-to';
  if (text.includes('name')) return 'name';
  return 'unknown';
}

/** How a caller spends its time at the menu: the whole cycle, or only Enter (the lightest input there is). */
export type WalkKind = 'menu' | 'enter';

/** The menu choices a caller cycles through once logged in. */
export const MENU_CYCLE = ['read', 'post', 'read', 'inbox', 'mail'] as const;
/** What a caller does at the menu on one turn of its cycle. */
export type Action = (typeof MENU_CYCLE)[number];
const CHOICE: Readonly<Record<Action, string>> = { read: '2', post: '1', inbox: '4', mail: '3' };

/** One caller's part: who it is and where it is in its walk. */
export class Walk {
  private step: number;
  private composing = 0;
  private pagesRead = 0;

  constructor(
    readonly name: string,
    readonly password: string,
    /** Whom this caller mails. */
    private readonly pen: string,
    start: number,
    private readonly kind: WalkKind = 'menu',
  ) {
    this.step = start % MENU_CYCLE.length;
  }

  /** The line to type at `kind`; undefined when the caller has nothing to say to it. */
  answer(kind: PromptKind): string | undefined {
    switch (kind) {
      case 'name':
        return this.name;
      case 'password':
      case 'repeat-password':
        return this.password;
      case 'sign-up':
      case 'motd':
        return 'y';
      case 'menu':
        return this.menu();
      case 'compose':
        return this.compose();
      case 'more':
        // Enter once for a second page, as readers do, then stop.
        return this.pagesRead++ === 0 ? '' : 'q';
      case 'mail-to':
        return this.pen;
      case 'unknown':
        return undefined;
    }
  }

  /** The next line of the post or mail being written, or `.` once it is all typed. */
  protected compose(): string {
    return this.composing-- > 0 ? `bench line ${this.composing + 1} from ${this.name}, typed at the board` : '.';
  }

  /** Starts `action`, chosen at the menu: how many lines a post or mail will have. */
  protected begin(action: Action): void {
    this.composing = action === 'post' ? 2 : action === 'mail' ? 1 : 0;
  }

  private menu(): string {
    // Enter at the menu shows the menu again: one reply, no database.
    if (this.kind === 'enter') return '';
    const action = MENU_CYCLE[this.step] as Action;
    this.step = (this.step + 1) % MENU_CYCLE.length;
    this.pagesRead = 0;
    this.begin(action);
    return CHOICE[action];
  }
}
