import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_FLAGS, parseBenchConfig } from '../bench/config.js';
import { DIAL_FLAGS, parseDialConfig } from '../client/dial-config.js';
import { KEYS_FLAGS, runKeys } from '../common/curve-keys-main.js';
import { isBbsError } from '../common/errors.js';
import type { FlagTable } from '../common/flag-table.js';
import { HANDLER_FLAGS, parseHandlerConfig } from '../handler/config.js';
import { LIMIT_FLAGS } from '../handler/limit-flags.js';
import { runScreens, SCREENS_FLAGS } from '../handler/screens-main.js';
import { PROXY_FLAGS, parseProxyConfig } from '../server/config.js';
import { DIRECTORY_FLAGS, runDirectory } from '../server/directory-main.js';
import { START_FLAGS, parseStartConfig } from '../server/start-config.js';
import { M2BBS_BIN } from './support/handler-process.js';

const TERMINAL = { stdinIsTty: true, stdoutIsTty: true };

/** Each command's flag table, and its parser run on arguments as the command line would give them. */
const COMMANDS: Record<string, { readonly flags: FlagTable; readonly parse: (argv: string[]) => unknown }> = {
  start: { flags: START_FLAGS, parse: (argv) => parseStartConfig(argv, {}) },
  proxy: { flags: PROXY_FLAGS, parse: (argv) => parseProxyConfig(argv, {}) },
  handler: { flags: HANDLER_FLAGS, parse: (argv) => parseHandlerConfig(argv, {}) },
  screens: { flags: SCREENS_FLAGS, parse: (argv) => runScreens(['check', ...argv, 'no-such-folder-here']) },
  directory: { flags: DIRECTORY_FLAGS, parse: (argv) => runDirectory([...argv, '127.0.0.1:1']) },
  dial: { flags: DIAL_FLAGS, parse: (argv) => parseDialConfig(argv, {}, TERMINAL) },
  bench: { flags: BENCH_FLAGS, parse: (argv) => parseBenchConfig(argv) },
  // A --dir of "1" does not exist, so nothing is written.
  keys: { flags: KEYS_FLAGS, parse: (argv) => runKeys([...argv, 'help-cli-test']) },
};

function help(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [M2BBS_BIN, command, '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`m2bbs ${command} --help exited ${code}`))));
  });
}

/** The flags a help text lists: each line that starts with a flag, and whether it takes a value. */
function listed(text: string): Map<string, boolean> {
  const flags = new Map<string, boolean>();
  for (const match of text.matchAll(/^ {2}(?:-h, )?--([a-z][a-z-]*)( [^\s]+)?/gm)) flags.set(match[1] ?? '', match[2] !== undefined);
  return flags;
}

/** The error code a parse ends with, or undefined when it gives a configuration (or its promise settles without a usage error). */
async function outcome(parse: () => unknown): Promise<string | undefined> {
  try {
    await parse();
    return undefined;
  } catch (error) {
    return isBbsError(error) ? error.code : String(error);
  }
}

describe('each command lists in --help exactly the flags it parses', () => {
  it.each(Object.keys(COMMANDS))('m2bbs %s', async (command) => {
    const { flags, parse } = COMMANDS[command] as (typeof COMMANDS)[string];
    const text = await help(command);
    const shown = listed(text);
    expect([...shown.keys()].sort()).toEqual([...Object.keys(flags), 'help'].sort());
    shown.delete('help');
    for (const [flag, takesValue] of shown) {
      // A value the flag may well refuse: a configuration problem is fine, an unknown flag is not.
      const code = await outcome(() => parse(takesValue ? [`--${flag}`, '1'] : [`--${flag}`]));
      expect(code, `m2bbs ${command} --${flag}`).not.toBe('BBS_ERR_USAGE');
    }
    expect(await outcome(() => parse(['--no-such-flag']))).toBe('BBS_ERR_USAGE');
  });

  it('README names the environment variable of every backend limit', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [flag, spec] of Object.entries(LIMIT_FLAGS)) {
      expect(readme, `--${flag}`).toContain(`\`--${flag}\` (\`${spec.env}\`)`);
    }
  });
});
