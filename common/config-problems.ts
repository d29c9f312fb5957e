/** Collecting every configuration problem before reporting them all at once. */
import { parseArgs } from 'node:util';
import { BbsError } from './errors.js';
import { isLogLevel, type LogLevel } from './log.js';

/** Gathers problems; `check` throws one BbsError listing all of them. */
export class ConfigProblems {
  private readonly problems: string[] = [];

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** Parses a whole number in [min, max], recording a problem and returning `fallback` otherwise. */
  integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.add(`--${flag}: expected a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  /** Throws if any problem was recorded. */
  check(command: string): void {
    if (this.problems.length === 0) return;
    throw new BbsError('BBS_ERR_CONFIG', `${command}: invalid configuration:\n  ${this.problems.join('\n  ')}`);
  }
}

/** True for a ZeroMQ endpoint m2bbs can use: tcp://host:port (`*` to bind any port), ipc://path or inproc://name. */
export function isZmqEndpoint(spec: string): boolean {
  return /^tcp:\/\/[^\s:]+:(\d{1,5}|\*)$/.test(spec) || /^(ipc|inproc):\/\/\S+$/.test(spec);
}

type Flags = Record<string, { readonly type: 'string'; readonly multiple?: boolean } | { readonly type: 'boolean' }>;
type FlagValues<O extends Flags> = {
  [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

/** Parses `--flag value` arguments; an unknown or malformed flag is a usage error that shows `usage`. */
export function parseFlags<O extends Flags>(command: string, usage: string, argv: readonly string[], options: O): FlagValues<O> {
  return parseCommandLine(command, usage, argv, options, 0).values;
}

/** Like parseFlags, also taking up to `maxPositionals` plain arguments; one more is a usage error. */
export function parseCommandLine<O extends Flags>(
  command: string,
  usage: string,
  argv: readonly string[],
  options: O,
  maxPositionals: number,
): { values: FlagValues<O>; positionals: string[] } {
  let parsed: { values: unknown; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: maxPositionals > 0, options });
  } catch (error) {
    throw new BbsError('BBS_ERR_USAGE', `${command}: ${(error as Error).message}\n\n${usage}`, { cause: error });
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new BbsError('BBS_ERR_USAGE', `${command}: unexpected argument "${parsed.positionals[maxPositionals]}"\n\n${usage}`);
  }
  return { values: parsed.values as FlagValues<O>, positionals: parsed.positionals };
}

/** Reads the log level from its flag or M2BBS_LOG_LEVEL, recording a problem when it is not one. */
export function logLevelFrom(flag: string | undefined, env: NodeJS.ProcessEnv, problems: ConfigProblems): LogLevel {
  const level = flag ?? env.M2BBS_LOG_LEVEL ?? 'info';
  if (isLogLevel(level)) return level;
  problems.add(`--log-level: expected debug, info, warn, error or silent, got "${level}"`);
  return 'info';
}
