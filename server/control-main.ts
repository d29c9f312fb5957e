/**
 * `m2bbs drain NUMBER`, `m2bbs upgrade [NUMBER...]` and `m2bbs add [NUMBER]`: a sysop's commands to
 * the `m2bbs start` running on a database, through its control socket. Exit code 0 done, 1 failed
 * (or no BBS running there), 2 usage.
 */
import { BbsError } from '../common/errors.js';
import { parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import { SILENCE_FLAG, controlRequest, type ControlAnswer } from './control-client.js';

/** The flags every one of these commands takes: which BBS, by its database. */
export const CONTROL_FLAGS = {
  db: { kind: 'string', arg: 'FILE', env: 'M2BBS_DB', default: 'data/m2bbs.db', help: 'the database of the running BBS, as given to m2bbs start' },
  'silence-ms': SILENCE_FLAG,
} as const satisfies FlagTable;

const FINDS = 'It finds the BBS that m2bbs start runs on the same database (through FILE.run next to it).';

/** What `m2bbs drain --help` prints. */
export const DRAIN_USAGE = usageText(
  'm2bbs drain NUMBER [flags]',
  `Takes a number (e.g. bbs.10) out of rotation: no new calls are dialled to it, each of its callers
moves to another number at their next prompt, and its backend exits once it holds nobody (or after
its --drain-timeout-ms). It is not restarted; it stays listed, DOWN; m2bbs add NUMBER brings it back.
Refused for the last number running, and under --journal off (its callers would be cut off).
${FINDS}`,
  CONTROL_FLAGS,
);

/** What `m2bbs upgrade --help` prints. */
export const UPGRADE_USAGE = usageText(
  'm2bbs upgrade [NUMBER...] [flags]',
  `Rolling upgrade: replaces each backend (every one, or those named) in turn by a new process
running the code and screens now on disk; its callers move to the new one at their next prompt,
nobody is cut off (so it is refused under --journal off, where they would be). Prints, per backend, how many callers moved and how long it took. SIGHUP to
m2bbs start does the same for every backend. ${FINDS}`,
  CONTROL_FLAGS,
);

/** What `m2bbs add --help` prints. */
export const ADD_USAGE = usageText(
  'm2bbs add [NUMBER] [flags]',
  `Adds a number to the running BBS: a new backend bbs.N after the highest, which the proxy starts
dialling at once; or, named, a drained number started again. SIGUSR2 to m2bbs start adds the next.
Refused past m2bbs start's --max-backends. ${FINDS}`,
  CONTROL_FLAGS,
);

const NUMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function parse(command: string, usage: string, argv: readonly string[], maxNumbers: number): { db: string; numbers: readonly string[]; silenceMs: number } {
  const { values, positionals, problems } = parseTable(command, usage, CONTROL_FLAGS, argv, process.env, maxNumbers);
  for (const n of positionals) if (!NUMBER.test(n)) problems.add(`expected a number such as bbs.10, got "${n}"`);
  problems.check(command);
  return { db: values.db, numbers: positionals, silenceMs: values['silence-ms'] };
}

function printProgress(line: ControlAnswer): void {
  if (typeof line.progress === 'string') console.log(line.progress);
}

/** `m2bbs drain NUMBER`. */
export async function runDrain(argv: readonly string[]): Promise<void> {
  const { db, numbers, silenceMs } = parse('m2bbs drain', DRAIN_USAGE, argv, 1);
  const number = numbers[0];
  if (number === undefined) throw new BbsError('BBS_ERR_USAGE', `m2bbs drain: which number? e.g. m2bbs drain bbs.10\n\n${DRAIN_USAGE}`);
  const answer = await controlRequest('m2bbs drain', db, 'drain', { number }, printProgress, silenceMs);
  console.log(String(answer.message));
}

/** `m2bbs upgrade [NUMBER...]`. */
export async function runUpgrade(argv: readonly string[]): Promise<void> {
  const { db, numbers, silenceMs } = parse('m2bbs upgrade', UPGRADE_USAGE, argv, 90);
  const answer = await controlRequest('m2bbs upgrade', db, 'upgrade', numbers.length === 0 ? {} : { numbers }, printProgress, silenceMs);
  console.log(String(answer.message));
}

/** `m2bbs add [NUMBER]`. */
export async function runAdd(argv: readonly string[]): Promise<void> {
  const { db, numbers, silenceMs } = parse('m2bbs add', ADD_USAGE, argv, 1);
  const answer = await controlRequest('m2bbs add', db, 'add', numbers[0] === undefined ? {} : { number: numbers[0] }, printProgress, silenceMs);
  console.log(String(answer.message));
}
