/**
 * The caller-facing message vocabulary, in one place: what a backend (or the proxy) sends a
 * caller's door or client as a JSON body. Backends encode with these helpers, doors and the
 * client decode with `decodeBbsMessage`; common/prompt-ack.ts reads a prompt's head as bytes,
 * which is why a prompt's keys are always written in the order type, seq, caller.
 */
import { displaySafe } from './display-safe.js';

/** What an `event` is about; the door shows every kind the same way (its `msg`), clients may style them. */
export const EVENT_KINDS = ['chat', 'me', 'join', 'leave', 'page', 'notice', 'broadcast'] as const;

/** One of EVENT_KINDS. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** Text to show; more may follow. */
export interface ScreenMessage {
  readonly type: 'screen';
  readonly msg: string;
}

/**
 * Text to show, then ask the caller for a line after `pchar`. `seq` is the last input the backend
 * read whole (and journaled); `caller` the name logged in on the line; `echo: false` hides the answer.
 */
export interface PromptMessage {
  readonly type: 'prompt';
  readonly seq?: number;
  readonly caller?: string;
  readonly msg: string;
  readonly pchar: string;
  readonly echo?: false;
}

/** The last text of a call; the line closes after it. */
export interface ExitMessage {
  readonly type: 'exit';
  readonly msg: string;
}

/** A caller refused because every line is taken; the close follows. */
export interface BusyMessage {
  readonly type: 'busy';
  readonly msg: string;
}

/** A word from the proxy itself (line moved, dialling, shutting down), on a line of its own. */
export interface NoticeMessage {
  readonly type: 'notice';
  readonly msg: string;
}

/** A keep-alive or probe; nothing to show. */
export interface PingMessage {
  readonly type: 'ping';
}

/**
 * Something that happened to or near the caller (a chat line, a page, a join) arriving between
 * prompts. `msg` is ready to show (rendered from a screen, caller text made display-safe, no
 * trailing newline); `at` is an ISO time. It changes nothing about the prompt the caller is at.
 */
export interface EventMessage {
  readonly type: 'event';
  readonly kind: EventKind;
  readonly msg: string;
  readonly from?: string;
  readonly room?: string;
  readonly text?: string;
  readonly at: string;
}

/** Every message a caller's door or client may be sent. */
export type BbsMessage = ScreenMessage | PromptMessage | ExitMessage | BusyMessage | NoticeMessage | PingMessage | EventMessage;

/** The `type` of each message, spelled once. */
export const MESSAGE_TYPES = {
  screen: 'screen',
  prompt: 'prompt',
  exit: 'exit',
  busy: 'busy',
  notice: 'notice',
  ping: 'ping',
  event: 'event',
} as const satisfies { readonly [K in BbsMessage['type']]: K };

/** The prompt character a prompt without one gets ("> " is what the original BBS used). */
export const DEFAULT_PCHAR = '> ';

/** The bytes every prompt encodePrompt writes starts with (common/prompt-ack.ts matches them). */
export const PROMPT_HEAD = '{"type":"prompt",';

/** The bytes every event encodeEvent writes starts with. */
export const EVENT_HEAD = '{"type":"event",';

/** A prompt's JSON body, keys in wire order (type, seq, caller, msg, pchar, echo). */
export function encodePrompt(prompt: Omit<PromptMessage, 'type'>): string {
  const { seq, caller, msg, pchar, echo } = prompt;
  const head = { type: MESSAGE_TYPES.prompt, ...(seq === undefined ? {} : { seq }), ...(caller === undefined ? {} : { caller }) };
  return JSON.stringify(echo === false ? { ...head, msg, pchar, echo: false } : { ...head, msg, pchar });
}

/** What encodeEvent needs; `at` may be a Date and is written as an ISO time. */
export interface EventFields {
  readonly kind: EventKind;
  readonly msg: string;
  readonly from?: string | undefined;
  readonly room?: string | undefined;
  readonly text?: string | undefined;
  readonly at: string | Date;
}

/**
 * Builds an event message (keys in the order type, kind, msg, from, room, text, at). `from`,
 * `room` and `text` are caller text a client may show as it is, so they are made display-safe
 * here; `msg` was rendered from a screen, whose placeholders already were.
 */
export function eventMessage(fields: EventFields): EventMessage {
  const { kind, msg, from, room, text, at } = fields;
  return {
    type: MESSAGE_TYPES.event,
    kind,
    msg,
    ...(from === undefined ? {} : { from: displaySafe(from) }),
    ...(room === undefined ? {} : { room: displaySafe(room) }),
    ...(text === undefined ? {} : { text: displaySafe(text) }),
    at: typeof at === 'string' ? at : at.toISOString(),
  };
}

/** An event's JSON body. */
export function encodeEvent(fields: EventFields): string {
  return JSON.stringify(eventMessage(fields));
}

/** Any message's JSON body (a prompt through encodePrompt, so its key order holds). */
export function encodeBbsMessage(message: BbsMessage): string {
  switch (message.type) {
    case 'prompt':
      return encodePrompt(message);
    case 'event':
      return encodeEvent(message);
    case 'ping':
      return JSON.stringify({ type: message.type });
    default:
      return JSON.stringify({ type: message.type, msg: message.msg });
  }
}

const EVENT_HEAD_BYTES = Buffer.from(EVENT_HEAD);

/**
 * True when `body` is an event message. The head m2bbs writes is matched without parsing; a body
 * spelled otherwise (another backend's spacing) is parsed only when it mentions "event" at all.
 */
export function isEventBody(body: Buffer | string): boolean {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes.length >= EVENT_HEAD_BYTES.length && bytes.compare(EVENT_HEAD_BYTES, 0, EVENT_HEAD_BYTES.length, 0, EVENT_HEAD_BYTES.length) === 0) return true;
  if (!bytes.includes('"event"')) return false;
  return decodeBbsMessage(bytes)?.type === 'event';
}

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);

/**
 * Reads one message body; never throws. Unknown types, bodies that are not a JSON object and
 * fields of the wrong kind give undefined. Tolerant of what is missing: no `msg` is empty text,
 * no `pchar` is DEFAULT_PCHAR, an event of a kind this code does not know is a `notice` event.
 */
export function decodeBbsMessage(body: string | Buffer): BbsMessage | undefined {
  let data: unknown;
  try {
    data = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
  return readBbsMessage(data);
}

/** decodeBbsMessage for a value already parsed from JSON (a client's reply reader parses it). */
export function readBbsMessage(data: unknown): BbsMessage | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const fields = data as Record<string, unknown>;
  const { type } = fields;
  if (type === 'ping') return { type };
  const msg = fields.msg ?? '';
  if (typeof msg !== 'string') return undefined;
  switch (type) {
    case 'screen':
    case 'exit':
    case 'busy':
    case 'notice':
      return { type, msg };
    case 'prompt':
      return decodePrompt(fields, msg);
    case 'event':
      return decodeEvent(fields, msg);
    default:
      return undefined;
  }
}

/**
 * A message a door or client can show: decodeBbsMessage's, or, for a JSON object of a type this
 * code does not know that carries a text `msg` (a newer backend's), that text as a screen.
 */
export function decodeShownMessage(body: string | Buffer): BbsMessage | undefined {
  const known = decodeBbsMessage(body);
  if (known !== undefined) return known;
  try {
    const data: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    const { type, msg } = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
    return typeof type === 'string' && typeof msg === 'string' ? { type: 'screen', msg } : undefined;
  } catch {
    return undefined;
  }
}

function decodePrompt(fields: Record<string, unknown>, msg: string): PromptMessage {
  const { seq, caller, pchar, echo } = fields;
  return {
    type: 'prompt',
    ...(typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? { seq } : {}),
    ...(typeof caller === 'string' ? { caller } : {}),
    msg,
    pchar: typeof pchar === 'string' ? pchar : DEFAULT_PCHAR,
    ...(echo === false ? { echo } : {}),
  };
}

function decodeEvent(fields: Record<string, unknown>, msg: string): EventMessage {
  const { kind, from, room, text, at } = fields;
  return eventMessage({
    kind: typeof kind === 'string' && KINDS.has(kind) ? (kind as EventKind) : 'notice',
    msg,
    from: typeof from === 'string' ? from : undefined,
    room: typeof room === 'string' ? room : undefined,
    text: typeof text === 'string' ? text : undefined,
    at: typeof at === 'string' ? at : '',
  });
}
