/** `m2bbs dial`: parses arguments and runs the full-screen or the plain client. */
import { parseDialConfig } from './dial-config.js';
import { fromDirectory } from './directory-chooser.js';

/** Runs the dial command until the call is over. */
export async function runDial(argv: readonly string[]): Promise<void> {
  const parsed = parseDialConfig(argv, process.env, { stdinIsTty: process.stdin.isTTY === true, stdoutIsTty: process.stdout.isTTY === true });
  const config = { ...parsed, chooseNext: fromDirectory(parsed.host, parsed.port) };
  if (config.plain) {
    const { runPlainDial } = await import('./plain-ui.js');
    process.exitCode = await runPlainDial(config, { input: process.stdin, output: process.stdout, errors: process.stderr });
  } else {
    const { blessedTerminal, runScreenDial } = await import('./screen-ui.js');
    process.exitCode = await runScreenDial(config, blessedTerminal(process.env.TERM));
  }
}
