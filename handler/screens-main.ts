/** `m2bbs screens check [DIR]`: checks a screens folder as a backend would, and lists every problem. */
import { BbsError } from '../common/errors.js';
import { parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import { SHIPPED_SCREENS } from './config.js';
import { checkScreenFolder, sortedProblems } from './screens.js';

/** `m2bbs screens check` takes no flags but --help. */
export const SCREENS_FLAGS = {} as const satisfies FlagTable;

/** What `m2bbs screens --help` prints, generated from its flag table. */
export const SCREENS_USAGE = usageText(
  'm2bbs screens check [DIR]',
  `Checks a screens folder the way a backend does before it uses it: every screen's header, colour
markup and placeholders (a raw ESC or control character in a .txt is a problem; a .ans may hold
colour escapes only), every menu and where its entries lead, every flow module. Prints each
problem as FILE:LINE: what is wrong, all at once, and exits 1 if there is any; notes (a screen
no menu shows, a menu nobody can reach) do not fail the check.

DIR is the folder to check (default: M2BBS_SCREENS, else the shipped screens/).`,
  SCREENS_FLAGS,
);

/** Runs `m2bbs screens`; sets a non-zero exit code when the folder has problems. */
export async function runScreens(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'check') {
    throw new BbsError('BBS_ERR_USAGE', `m2bbs screens: expected "check [DIR]", got ${command === undefined ? 'nothing' : `"${command}"`}\n\n${SCREENS_USAGE}`);
  }
  // Every plain argument is taken, so that more than one folder is named as such.
  const { positionals } = parseTable('m2bbs screens check', SCREENS_USAGE, SCREENS_FLAGS, rest, process.env, Number.MAX_SAFE_INTEGER);
  if (positionals.length > 1) throw new BbsError('BBS_ERR_USAGE', `m2bbs screens check: expected one folder, got ${positionals.length}\n\n${SCREENS_USAGE}`);
  const dir = positionals[0] ?? process.env.M2BBS_SCREENS ?? SHIPPED_SCREENS;
  const result = await checkScreenFolder(dir);
  // One write for the whole report.
  const report = result.notes.map((note) => `note: ${note}`);
  if (result.set === undefined) {
    const count = result.problems.length;
    report.push(...sortedProblems(result.problems));
    report.push(`${count} problem${count === 1 ? '' : 's'} in ${dir}: a backend will not start on it, and a running one keeps its current version.`);
    process.exitCode = 1;
  } else {
    const { menuNames, screenNames, flowNames } = result.set;
    const flows = flowNames.length === 0 ? 'no flows' : `${flowNames.length} flow${flowNames.length === 1 ? '' : 's'} (${flowNames.join(', ')})`;
    report.push(`${dir} is fine: ${menuNames.length} menu${menuNames.length === 1 ? '' : 's'} (${menuNames.join(', ')}), ${screenNames.length} screens, ${flows}.`);
  }
  console.log(report.join('\n'));
}
