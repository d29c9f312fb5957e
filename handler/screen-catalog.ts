/**
 * Every screen the built-in flows show, each with the placeholders it may use. A screen file
 * may use any of its placeholders, and no others. Screens that operators add get theirs from how
 * they are shown (menu.ts) or from the flow module that shows them.
 */
export const SCREEN_CATALOG = {
  welcome: [],
  name: [],
  bad_name: ['min', 'max'],
  reserved_name: ['name'],
  password: [],
  bad_pass: [],
  name_locked: ['name', 'minutes'],
  address_locked: ['minutes'],
  other_line_ended: [],
  logged_in_elsewhere: [],
  new_user: ['name'],
  pass_too_short: ['min'],
  pass_too_long: ['max'],
  repeat_pass: [],
  pass_mismatch: ['tries_left'],
  too_many_tries: [],
  name_taken: ['name'],
  welcome_newbie: ['name'],
  motd: ['name', 'calls', 'last_call', 'new_mail', 'messages'],
  menu: ['name', 'title', 'entries', 'keys'],
  menu_error: ['choice', 'keys'],
  menu_help: ['name', 'title', 'entries', 'keys'],
  leave_msg: ['max_lines', 'max_length'],
  line_wrapped: ['pieces', 'max_length'],
  line_does_not_fit: ['length', 'lines_left', 'max_length'],
  message_full: ['max_lines'],
  line_not_added: ['line', 'max_lines'],
  nothing_posted: [],
  posted: ['id'],
  read_msg: ['count'],
  no_messages: [],
  message: ['id', 'author', 'date', 'body'],
  message_reply: ['id', 'author', 'date', 'body', 'reply_to', 'reply_author'],
  area_post: ['entries', 'count'],
  area_read: ['entries', 'count'],
  no_such_area: ['choice', 'count'],
  area_empty: ['area'],
  read_more: [],
  read_end: ['area'],
  no_such_message: ['id'],
  reply_quote: ['id', 'author', 'quote', 'lines'],
  reply_quote_bad: ['choice', 'lines'],
  reply_compose: ['id', 'author', 'max_lines', 'max_length'],
  reply_kept: ['quote'],
  reply_posted: ['id', 'reply_to', 'author'],
  new_summary: ['summary'],
  scan_nothing: [],
  scan_area: ['area', 'count'],
  scan_done: [],
  more: [],
  end_of_list: [],
  mail_to: [],
  no_such_user: ['name'],
  mail_compose: ['to', 'max_lines', 'max_length'],
  mail_sent: ['to'],
  no_mail: [],
  inbox: ['unread', 'total'],
  mail_item: ['from', 'date', 'body', 'status'],
  bad_message: [],
  too_fast: [],
  idle: ['duration', 'seconds'],
  silent: ['duration', 'seconds'],
  busy: ['max'],
  bye: ['name'],
  error: [],
  not_saved_full: ['what'],
  not_saved_unwritable: ['what'],
  not_saved_gone: ['what'],
  kept_text: ['body'],
  draft_not_posted: ['body'],
  try_again: [],
  not_saved_dropped: [],
  signup_later: [],
} as const satisfies Record<string, readonly string[]>;

/** The name of a screen file in `screens/`, without `.txt`. */
export type ScreenName = keyof typeof SCREEN_CATALOG;

/** The placeholder values a screen takes. */
export type ScreenVars<N extends ScreenName> = {
  readonly [K in (typeof SCREEN_CATALOG)[N][number]]: string | number;
};

/** All screen names, in catalog order. */
export const SCREEN_NAMES = Object.keys(SCREEN_CATALOG) as ScreenName[];
