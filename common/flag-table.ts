/**
 * One table of flags per command: the parser, the environment fallbacks, the validation and the
 * usage text are all generated from it, so `--help` cannot drift from what is parsed.
 */
import { parseArgs } from 'node:util';
import { ConfigProblems } from './config-problems.js';
import { BbsError } from './errors.js';
import { LOG_LEVELS } from './log.js';

interface FlagCommon {
  /** One line (or a few words) saying what the flag does; wrapped when the usage is printed. */
  readonly help: string;
  /** The environment variable read when the flag is not given. */
  readonly env?: string;
  /** The default as a person reads it, when the code works it out rather than the table. */
  readonly defaultText?: string;
}

/** A whole number from `min` to `max`. */
export interface IntegerFlag extends FlagCommon {
  readonly kind: 'integer';
  readonly arg: string;
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

/** Free text (checked by the command), one of `choices`, or repeatable with `multiple`. */
export interface StringFlag extends FlagCommon {
  readonly kind: 'string';
  readonly arg: string;
  readonly default?: string;
  readonly choices?: readonly string[];
  readonly multiple?: boolean;
}

/** Present or absent; never read from the environment. */
export interface BooleanFlag {
  readonly kind: 'boolean';
  readonly help: string;
}

/** One flag of a command: its kind, value, environment variable, default and help. */
export type FlagSpec = IntegerFlag | StringFlag | BooleanFlag;
/** A command's flags by name (without the leading `--`). */
export type FlagTable = Readonly<Record<string, FlagSpec>>;

type ValueOf<S> = S extends { kind: 'integer' }
  ? S extends { default: number } ? number : number | undefined
  : S extends { kind: 'boolean' }
    ? boolean
    : S extends { multiple: true }
      ? string[]
      : S extends { choices: readonly (infer C)[] }
        ? S extends { default: string } ? C : C | undefined
        : S extends { default: string } ? string : string | undefined;

/** What a command's code reads after parsing: every flag of the table, typed by its kind. */
export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

/** The result of parsing: values, plain arguments, and the problems so far for the command to add to and check. */
export interface ParsedCommandLine<T extends FlagTable> {
  readonly values: FlagValues<T>;
  readonly positionals: readonly string[];
  readonly problems: ConfigProblems;
  /** Where each value came from: `--flag`, the environment variable's name, or undefined for the default. */
  readonly sources: Readonly<Record<keyof T, string | undefined>>;
}

/**
 * Parses `argv` by `table`: an unknown or malformed flag (or more than `maxPositionals` plain
 * arguments) is a usage error showing `usage`; a bad value is a problem, all listed at `check`.
 */
export function parseTable<T extends FlagTable>(
  command: string,
  usage: string,
  table: T,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  maxPositionals = 0,
): ParsedCommandLine<T> {
  const options = Object.fromEntries(
    Object.entries(table).map(([name, spec]) => [name, spec.kind === 'boolean' ? { type: 'boolean' as const } : { type: 'string' as const, multiple: spec.kind === 'string' && spec.multiple === true }]),
  );
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: maxPositionals > 0, options });
  } catch (error) {
    throw new BbsError('BBS_ERR_USAGE', `${command}: ${(error as Error).message}\n\n${usage}`, { cause: error });
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new BbsError('BBS_ERR_USAGE', `${command}: unexpected argument "${parsed.positionals[maxPositionals]}"\n\n${usage}`);
  }
  const problems = new ConfigProblems();
  const values: Record<string, unknown> = {};
  const sources: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(table)) {
    const given = parsed.values[name];
    if (spec.kind === 'boolean') {
      values[name] = given === true;
      sources[name] = given === true ? `--${name}` : undefined;
      continue;
    }
    if (spec.kind === 'string' && spec.multiple === true) {
      values[name] = Array.isArray(given) ? given.map(String) : [];
      sources[name] = Array.isArray(given) ? `--${name}` : undefined;
      continue;
    }
    const fromEnv = spec.env === undefined || env[spec.env] === '' ? undefined : env[spec.env];
    const raw = typeof given === 'string' ? given : fromEnv;
    const source = typeof given === 'string' ? `--${name}` : fromEnv === undefined ? undefined : spec.env;
    sources[name] = source;
    values[name] = raw === undefined || source === undefined ? spec.default : checkValue(source, spec, raw, problems);
  }
  return { values: values as FlagValues<T>, positionals: parsed.positionals, problems, sources: sources as Record<keyof T, string | undefined> };
}

function checkValue(source: string, spec: IntegerFlag | StringFlag, raw: string, problems: ConfigProblems): number | string | undefined {
  if (spec.kind === 'integer') {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < spec.min || value > spec.max) {
      problems.add(`${source}: expected a whole number from ${spec.min} to ${spec.max}, got "${raw}"`);
      return spec.default;
    }
    return value;
  }
  if (spec.choices !== undefined && !spec.choices.includes(raw)) {
    problems.add(`${source}: expected ${spokenList(spec.choices)}, got "${raw}"`);
    return spec.default;
  }
  return raw;
}

/** "a, b or c". */
function spokenList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

const WIDTH = 100;
// Descriptions start in one column per command, just past its longest flag (up to a point).
const MAX_COLUMN = 30;

/** The flags part of a usage text: one entry per flag of `table`, then `-h, --help`. */
export function flagLines(table: FlagTable): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const head = `  --${name}${spec.kind === 'boolean' ? '' : ` ${spec.arg}`}`;
    const notes = spec.kind === 'boolean' ? [] : [spec.env, defaultOf(spec)].filter((note): note is string => note !== undefined);
    return { head, text: notes.length === 0 ? spec.help : `${spec.help} (${notes.join(', ')})` };
  });
  rows.push({ head: '  -h, --help', text: 'this text' });
  const column = Math.min(MAX_COLUMN, Math.max(...rows.map((row) => row.head.length)) + 2);
  return rows.map((row) => entry(row.head, row.text, column)).join('\n');
}

/** The whole usage text of a command: synopsis, what it does, its flags, and anything after. */
export function usageText(synopsis: string, about: string, table: FlagTable, after?: string): string {
  return [`Usage: ${synopsis}`, about, `Flags:\n${flagLines(table)}`, ...(after === undefined ? [] : [after])].join('\n\n');
}

function defaultOf(spec: IntegerFlag | StringFlag): string | undefined {
  if (spec.defaultText !== undefined) return `default ${spec.defaultText}`;
  if (spec.default === undefined) return undefined;
  return `default ${spec.default}`;
}

function entry(head: string, text: string, column: number): string {
  const indent = ' '.repeat(column);
  const lines: string[] = [];
  let line = indent;
  if (head.length <= column - 2) line = head.padEnd(column);
  else lines.push(head);
  let fresh = true;
  for (const word of text.split(/\s+/)) {
    if (!fresh && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent;
      fresh = true;
    }
    line += fresh ? word : ` ${word}`;
    fresh = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** `--log-level`, the same for every long-running command. */
export const LOG_LEVEL_FLAG = {
  kind: 'string',
  arg: 'LEVEL',
  choices: LOG_LEVELS,
  env: 'M2BBS_LOG_LEVEL',
  default: 'info',
  help: 'debug, info, warn, error or silent',
} as const satisfies StringFlag;
