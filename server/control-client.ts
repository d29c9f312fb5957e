/** The sysop's side of the control socket: finds the running `m2bbs start` by its database and sends it one request. */
import { createConnection } from 'node:net';
import { BbsError } from '../common/errors.js';
import { readRunFile, runFilePath } from './run-file.js';

/** A JSON line the running BBS sent back. */
export type ControlAnswer = Readonly<Record<string, unknown>>;

/** How long the CLI waits, by default, for any line from the BBS before it gives up (the BBS sends one every few seconds while it works). */
export const CONTROL_SILENCE_MS = 30_000;

/** The `--silence-ms` flag of every command that talks to a running BBS. */
export const SILENCE_FLAG = {
  kind: 'integer',
  arg: 'MS',
  min: 1000,
  max: 3_600_000,
  default: CONTROL_SILENCE_MS,
  env: 'M2BBS_CONTROL_SILENCE_MS',
  help: 'give up (exit code 1) when the BBS sends nothing for this long, as a stopped m2bbs start does; a working one sends a line every 5 s',
} as const;

/**
 * Sends `{op, ...fields}` to the `m2bbs start` running on `db`, calling `progress` with each
 * progress line; resolves with the final `{"ok":true,...}` answer, throws a one-line BbsError otherwise.
 */
export async function controlRequest(command: string, db: string, op: string, fields: Readonly<Record<string, unknown>>, progress: (line: ControlAnswer) => void, silenceMs = CONTROL_SILENCE_MS): Promise<ControlAnswer> {
  let run;
  try {
    run = readRunFile(db);
  } catch (error) {
    throw new BbsError('BBS_ERR_CONTROL_FAILED', `${command}: ${(error as Error).message}`, { cause: error });
  }
  if (run === undefined) throw new BbsError('BBS_ERR_NOT_RUNNING', `${command}: no BBS is running on ${db} (no live ${runFilePath(db)}); start it with m2bbs start, or name its database with --db or M2BBS_DB`);
  const final = await new Promise<ControlAnswer>((resolve, reject) => {
    const socket = createConnection(run.control);
    let buffered = '';
    let answer: ControlAnswer | undefined;
    // A stopped `m2bbs start` (Ctrl-Z, SIGSTOP) still accepts the connection in the kernel and then
    // says nothing: a running one answers or sends a keep-alive line every few seconds.
    const silent = (): void => {
      socket.destroy();
      reject(new BbsError('BBS_ERR_CONTROL_FAILED', `${command}: the BBS on ${db} (pid ${run.pid}) sent nothing for ${silenceMs / 1000} s; is it stopped (Ctrl-Z, SIGSTOP)? What it was asked to do goes on if it resumes; check with m2bbs directory`));
    };
    let timer = setTimeout(silent, silenceMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ ...fields, op, token: run.token })}\n`));
    socket.on('data', (chunk: string) => {
      clearTimeout(timer);
      timer = setTimeout(silent, silenceMs);
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        let value: ControlAnswer;
        try {
          value = JSON.parse(line) as ControlAnswer;
        } catch {
          continue;
        }
        if (typeof value.ok === 'boolean') answer = value;
        else if (value.alive !== true) progress(value);
      }
    });
    // An error after the BBS answered (EPIPE: it refused and closed before reading the request)
    // is not the news: its answer is, which 'close' then gives.
    let failure: Error | undefined;
    socket.on('error', (error) => (failure = error));
    socket.on('close', () => {
      clearTimeout(timer);
      if (answer !== undefined) resolve(answer);
      else if (failure !== undefined) reject(new BbsError('BBS_ERR_NOT_RUNNING', `${command}: the BBS on ${db} (pid ${run.pid}) did not answer on ${run.control} (${failure.message})`, { cause: failure }));
      else reject(new BbsError('BBS_ERR_CONTROL_FAILED', `${command}: the BBS on ${db} closed the control connection without an answer (was it stopped?)`));
    });
  });
  if (final.ok !== true) throw new BbsError('BBS_ERR_CONTROL_FAILED', `${command}: ${typeof final.error === 'string' ? final.error : 'failed'}`);
  return final;
}
