/** Makes sure the bench can write where it was told (`--json FILE`, `--profile DIR`) before a run, not after it. */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BbsError } from '../common/errors.js';

/** Creates the folders `--json` and `--profile` need; a place that cannot be written is a usage error. */
export function prepareOutputPaths(paths: { readonly json: string | undefined; readonly profileDir: string | undefined }): void {
  if (paths.json !== undefined) writableFolder(dirname(paths.json), `--json ${paths.json}`);
  if (paths.profileDir !== undefined) writableFolder(paths.profileDir, `--profile ${paths.profileDir}`);
}

function writableFolder(dir: string, flag: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BbsError('BBS_ERR_USAGE', `m2bbs bench: cannot write ${flag}: ${dir} is not a folder it can write (${reason})`, { cause: error });
  }
}
