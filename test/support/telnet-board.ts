/**
 * A whole BBS per test with telnet callers on it: the test starts the BBS (with its own options),
 * signs callers up, and both are stopped after the test, even a failed one.
 */
import { afterEach } from 'vitest';
import { TelnetCaller } from './telnet-caller.js';
import { startTestBbs, type TestBbs, type TestBbsOptions } from './test-bbs.js';

/** The BBS of the running test and its callers. */
export interface TelnetBoard {
  /** The BBS started by `start` in this test. */
  readonly bbs: TestBbs;
  /** Starts this test's BBS. */
  start(options?: TestBbsOptions): Promise<TestBbs>;
  /** A telnet caller (terminal `xterm`) signed up as `name` with password `NAME-password`, at the main menu. */
  caller(name: string): Promise<TelnetCaller>;
  /** Hangs every caller up and stops the BBS now (done after each test anyway). */
  stop(): Promise<void>;
}

/** A TelnetBoard for each test of the describe this is called in. */
export function telnetBoardPerTest(): TelnetBoard {
  let bbs: TestBbs | undefined;
  const callers: TelnetCaller[] = [];
  const stop = async (): Promise<void> => {
    for (const caller of callers.splice(0)) caller.close();
    await bbs?.close();
    bbs = undefined;
  };
  afterEach(stop);
  const current = (): TestBbs => {
    if (bbs === undefined) throw new Error('start the BBS first');
    return bbs;
  };
  return {
    get bbs() {
      return current();
    },
    async start(options = {}) {
      bbs = await startTestBbs(options);
      return bbs;
    },
    async caller(name) {
      const telnet = await TelnetCaller.open(current().telnetPort, 'xterm');
      callers.push(telnet);
      await telnet.signUpToMenu(name, `${name}-password`);
      return telnet;
    },
    stop,
  };
}
