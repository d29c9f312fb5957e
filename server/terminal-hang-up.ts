/**
 * Telling a closed terminal from a sysop's `kill -HUP`. Both send `m2bbs start` SIGHUP; the first
 * means the person who ran it is gone (stop, as every program on a terminal does), the second asks
 * for a rolling upgrade. Once a process's terminal has hung up, `/dev/tty` can no longer be opened.
 */
import { closeSync, openSync } from 'node:fs';

/** Whether this process was started on a terminal (decided once, at start). */
const startedOnTerminal = process.stdin.isTTY === true || process.stdout.isTTY === true || process.stderr.isTTY === true;

/** True when this process ran on a terminal that has since closed: a SIGHUP now is a hang-up, not a request. */
export function terminalClosed(): boolean {
  if (!startedOnTerminal) return false;
  try {
    closeSync(openSync('/dev/tty', 'r'));
    return false;
  } catch {
    return true;
  }
}
