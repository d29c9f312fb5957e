/**
 * Loads a screens folder: texts with their headers and colour markup, menu files, and flow
 * modules, all checked together. A backend refuses to start on a broken folder; a reload keeps
 * the version in force (see screen-watch.ts).
 */
import { BbsError } from '../common/errors.js';
import { findFlowFiles, loadFlowModules } from './flow-modules.js';
import { formatProblem, type ScreenProblem } from './screen-markup.js';
import { assembleScreenSet, readScreenFolder, type ScreenSet, type ScreenSetResult } from './screen-set.js';

export type { Screens, ScreenSet, ScreenSetResult } from './screen-set.js';

/** Reads and checks everything in `dir`, flow modules included; never throws for what is in the folder. */
export async function checkScreenFolder(dir: string): Promise<ScreenSetResult> {
  const problems: ScreenProblem[] = [];
  const flowFiles = findFlowFiles(dir, problems);
  const folder = readScreenFolder(dir, flowFiles, problems);
  const flows = await loadFlowModules(flowFiles, problems);
  return assembleScreenSet({ ...folder, problems }, flows);
}

/** Loads `dir` with its flow modules; throws a BbsError listing every problem, each with file and line. */
export async function loadScreenSet(dir: string): Promise<ScreenSet> {
  const result = await checkScreenFolder(dir);
  if (result.set === undefined) throw screenError(dir, result.problems);
  return result.set;
}

/**
 * Loads `dir` without its flow modules, synchronously (benchmarks, in-process tests); a menu entry
 * that leads to a flow is then a problem. Throws a BbsError listing every problem.
 */
export function loadScreens(dir: string): ScreenSet {
  const problems: ScreenProblem[] = [];
  const flowFiles = findFlowFiles(dir, problems);
  const result = assembleScreenSet(readScreenFolder(dir, flowFiles, problems), undefined);
  if (result.set === undefined) throw screenError(dir, result.problems);
  return result.set;
}

/** Every problem in one `file:line: what` line each, in file and line order. */
export function sortedProblems(problems: readonly ScreenProblem[]): string[] {
  return [...problems]
    .sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : a.file < b.file ? -1 : 1))
    .map(formatProblem);
}

function screenError(dir: string, problems: readonly ScreenProblem[]): BbsError {
  return new BbsError('BBS_ERR_SCREEN', `screens in ${dir} cannot be used:\n  ${sortedProblems(problems).join('\n  ')}`);
}
