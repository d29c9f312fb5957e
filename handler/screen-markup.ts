/**
 * What a screen file's text may contain besides words: `{{placeholders}}` filled in when shown,
 * and colour markup (`{yellow}...{/}`) turned into ANSI colour codes once, when the file is read.
 * Doors pass those codes to terminals that can show colour and strip them for the rest.
 */
import { displaySafe } from '../common/display-safe.js';
import { sysopTextOf, type SysopText } from './sysop-text.js';

/** A problem with a file in a screens folder; `line` is 1-based, undefined for the whole file. */
export interface ScreenProblem {
  readonly file: string;
  readonly line: number | undefined;
  readonly message: string;
}

/** `file:line: message`, the way editors and `m2bbs screens check` show a problem. */
export function formatProblem(problem: ScreenProblem): string {
  return `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}`;
}

/** The colour markup names and the SGR parameters they stand for; `{/}` goes back to plain. */
export const COLOURS = {
  bold: '1',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  white: '37',
} as const satisfies Record<string, string>;

const RESET = '\x1b[0m';
/** `{{ name }}`: filled from the values the flow passes when it shows the screen. */
export const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;
// A word in single braces is markup; anything else in braces ({"type":...}) is plain text.
const MARKUP = /\{(\/|[a-z]+(?:-[a-z]+)*)\}/g;
const COLOUR_LIST = `${Object.keys(COLOURS).join(', ')}, and {/} for plain`;

/** A placeholder a text uses, with the line it is on. */
export interface PlaceholderUse {
  readonly key: string;
  readonly line: number;
}

/** A text with its colour markup rendered and its placeholders listed. */
export interface CompiledText {
  readonly text: string;
  readonly placeholders: readonly PlaceholderUse[];
}

/**
 * Renders the colour markup of `source` (whose first line is line `firstLine` of `file`) and
 * lists its placeholders. Placeholders stay in the text for `fillPlaceholders`; markup inside
 * the values filled in later is never rendered, so callers cannot colour what they type.
 */
export function compileText(source: string, file: string, firstLine: number, problems: ScreenProblem[]): CompiledText {
  const placeholders: PlaceholderUse[] = [];
  let coloured = false;
  let plainAtEnd = true;
  const renderMarkup = (segment: string, line: number): string =>
    segment.replace(MARKUP, (whole, name: string) => {
      if (name === '/') {
        plainAtEnd = true;
        return RESET;
      }
      const code = (COLOURS as Readonly<Record<string, string>>)[name];
      if (code === undefined) {
        problems.push({ file, line, message: `unknown colour ${whole} (colours: ${COLOUR_LIST})` });
        return whole;
      }
      coloured = true;
      plainAtEnd = false;
      return `\x1b[${code}m`;
    });
  const lines = source.split('\n').map((line, index) => {
    const lineNo = firstLine + index;
    // Markup is rendered between placeholders only, so `{{name}}` is never read as `{name}`.
    let out = '';
    let last = 0;
    for (const match of line.matchAll(PLACEHOLDER)) {
      placeholders.push({ key: match[1] ?? '', line: lineNo });
      out += renderMarkup(line.slice(last, match.index), lineNo) + match[0];
      last = match.index + match[0].length;
    }
    return out + renderMarkup(line.slice(last), lineNo);
  });

  const text = lines.join('\n');
  // Colour never runs on into whatever the caller sees next.
  return { text: coloured && !plainAtEnd ? text + RESET : text, placeholders };
}

/**
 * Fills a compiled text's placeholders in one pass: braces inside the values stay as typed, and
 * every value is made display-safe (common/display-safe.ts: no control characters, escape
 * sequences or invisible format characters), even a post stored before input dropped them. This
 * is the one place caller text reaches another caller's screen. Only a SysopText (a menu's title
 * and entries, from the sysop's files) goes in as it is, colour and all.
 */
export function fillPlaceholders(text: string, vars: Readonly<Record<string, string | number | SysopText>> | undefined): string {
  if (vars === undefined) return text;
  return text.replace(PLACEHOLDER, (_whole, key: string) => {
    const value = vars[key];
    return sysopTextOf(value) ?? displaySafe(String(value ?? ''));
  });
}
