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

type StringFlags = Record<string, { readonly type: 'string'; readonly multiple?: boolean }>;
type FlagValues<O extends StringFlags> = { [K in keyof O]?: O[K] extends { multiple: true } ? string[] : string };

/** Parses `--flag value` arguments; an unknown or malformed flag is a usage error that shows `usage`. */
export function parseFlags<O extends StringFlags>(command: string, usage: string, argv: readonly string[], options: O): FlagValues<O> {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values as FlagValues<O>;
  } catch (error) {
    throw new BbsError('BBS_ERR_USAGE', `${command}: ${(error as Error).message}\n\n${usage}`, { cause: error });
  }
}

/** Reads the log level from its flag or M2BBS_LOG_LEVEL, recording a problem when it is not one. */
export function logLevelFrom(flag: string | undefined, env: NodeJS.ProcessEnv, problems: ConfigProblems): LogLevel {
  const level = flag ?? env.M2BBS_LOG_LEVEL ?? 'info';
  if (isLogLevel(level)) return level;
  problems.add(`--log-level: expected debug, info, warn, error or silent, got "${level}"`);
  return 'info';
}
