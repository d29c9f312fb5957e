/** `m2bbs <subcommand>`: the one command-line entry, dispatching to each part's main. */
import { isBbsError } from './errors.js';

const USAGE = `Usage: m2bbs <command> [flags]

Commands:
  start     run the whole BBS: the proxy and its backends
  proxy     run the front proxy (telnet, JSON sockets, WebSocket and the page)
  handler   run a BBS backend behind a Mongrel2-protocol server
  directory show a running proxy's backend numbers, up or down, lines free
  upgrade   replace the running BBS's backends one by one by new code, nobody cut off
  drain     take a number out of the running BBS, its callers moved to others
  add       add a number to the running BBS (or start a drained one again)
  screens   check a screens folder (screens check [DIR]): every problem with file and line
  sysop     the sysop's console: who is on, kick, broadcast, users, bans, messages, a call's replay
  dial      call a BBS from this terminal (full-screen, or --plain line by line)
  bench     load-test a BBS: callers, latency, memory, throughput
  bus       run the event bus device alone (chat, pages, who is online across handlers)
  keys      make a CURVE key pair (NAME.key, NAME.pub) for backends on other hosts

Run "m2bbs <command> --help" for a command's flags.`;

const COMMANDS: Record<string, () => Promise<{ run: (argv: readonly string[]) => Promise<void>; usage: string }>> = {
  handler: async () => {
    const [{ runHandler }, { HANDLER_USAGE }] = await Promise.all([import('../handler/main.js'), import('../handler/config.js')]);
    return { run: runHandler, usage: HANDLER_USAGE };
  },
  start: async () => {
    const [{ runStart }, { START_USAGE }] = await Promise.all([import('../server/start-main.js'), import('../server/start-config.js')]);
    return { run: runStart, usage: START_USAGE };
  },
  proxy: async () => {
    const [{ runProxy }, { PROXY_USAGE }] = await Promise.all([import('../server/main.js'), import('../server/config.js')]);
    return { run: runProxy, usage: PROXY_USAGE };
  },
  screens: async () => {
    const { runScreens, SCREENS_USAGE } = await import('../handler/screens-main.js');
    return { run: runScreens, usage: SCREENS_USAGE };
  },
  directory: async () => {
    const { runDirectory, DIRECTORY_USAGE } = await import('../server/directory-main.js');
    return { run: runDirectory, usage: DIRECTORY_USAGE };
  },
  drain: async () => {
    const { runDrain, DRAIN_USAGE } = await import('../server/control-main.js');
    return { run: runDrain, usage: DRAIN_USAGE };
  },
  upgrade: async () => {
    const { runUpgrade, UPGRADE_USAGE } = await import('../server/control-main.js');
    return { run: runUpgrade, usage: UPGRADE_USAGE };
  },
  add: async () => {
    const { runAdd, ADD_USAGE } = await import('../server/control-main.js');
    return { run: runAdd, usage: ADD_USAGE };
  },
  dial: async () => {
    const [{ runDial }, { DIAL_USAGE }] = await Promise.all([import('../client/main.js'), import('../client/dial-config.js')]);
    return { run: runDial, usage: DIAL_USAGE };
  },
  bus: async () => {
    const { runBus, BUS_USAGE } = await import('../server/bus-main.js');
    return { run: runBus, usage: BUS_USAGE };
  },
  keys: async () => {
    const { runKeys, KEYS_USAGE } = await import('./curve-keys-main.js');
    return { run: runKeys, usage: KEYS_USAGE };
  },
  sysop: async () => {
    const { runSysop, SYSOP_USAGE } = await import('../sysop/main.js');
    return { run: runSysop, usage: SYSOP_USAGE };
  },
  bench: async () => {
    const { runBench, BENCH_USAGE } = await import('../bench/main.js');
    return { run: runBench, usage: BENCH_USAGE };
  },
};

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  const load = COMMANDS[command];
  if (load === undefined) {
    console.error(`m2bbs: unknown command "${command}"\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { run, usage } = await load();
  if (rest.includes('-h') || rest.includes('--help')) {
    console.log(usage);
    return;
  }
  await run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isBbsError(error) && error.expose) {
    console.error(error.message);
    process.exitCode = error.code === 'BBS_ERR_USAGE' || error.code === 'BBS_ERR_CONFIG' ? 2 : error.code === 'BBS_ERR_SYSOP_NOT_FOUND' ? 3 : 1;
  } else {
    console.error('m2bbs: failed:', error);
    process.exitCode = 1;
  }
});
