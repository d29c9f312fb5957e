/** `m2bbs sysop broadcast TEXT`: a line every caller on every number sees at once, sent by the running BBS on its event bus. */
import { BbsError } from '../common/errors.js';
import { readRunFile, runFilePath } from '../server/run-file.js';
import { MAX_BROADCAST } from '../server/sysop-ops.js';
import type { SysopCommand } from './command.js';
import { liveCalls } from './live-calls.js';

// True unless no run file names a running BBS (one that cannot be trusted: the request says why).
function bbsRuns(db: string): boolean {
  try {
    return readRunFile(db) !== undefined;
  } catch {
    return true;
  }
}

/** The broadcast command. */
export const BROADCAST: SysopCommand = {
  name: 'broadcast',
  args: 'TEXT...',
  summary: 'show TEXT to every caller on every number (needs the BBS running)',
  minArgs: 1,
  maxArgs: Number.MAX_SAFE_INTEGER,
  flags: [],
  async run(context, words) {
    // Several words unquoted are one line, as a sysop types it.
    const text = words.join(' ').trim();
    if (text === '' || text.length > MAX_BROADCAST) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop broadcast: TEXT is 1 to ${MAX_BROADCAST} characters, got ${text.length}`);
    // Recorded before it is sent (a BBS stopped mid-request may still send it once resumed), once
    // a BBS is known to run on the database: with none there is nothing to record.
    if (!bbsRuns(context.db)) throw new BbsError('BBS_ERR_NOT_RUNNING', `m2bbs sysop: no BBS is running on ${context.db} (no live ${runFilePath(context.db)}); a broadcast needs m2bbs start running`);
    await context.audit('broadcast', 'everyone', text);
    await context.control('broadcast', { text });
    // Those logged in see it; who is still at the name prompt does not.
    const callers = liveCalls(context.store(), Date.now()).filter((call) => call.name !== null).length;
    context.out(`Broadcast to every caller (${callers} logged in now): ${text}`, { text, callers });
  },
};
