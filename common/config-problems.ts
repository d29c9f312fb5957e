/** Collecting every configuration problem before reporting them all at once. */
import { BbsError } from './errors.js';

/** Gathers problems; `check` throws one BbsError listing all of them. */
export class ConfigProblems {
  private readonly problems: string[] = [];

  add(problem: string): void {
    this.problems.push(problem);
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
