import { afterEach, describe, expect, it } from 'vitest';
import { LOG_LEVELS } from '../common/log.js';
import { HandlerProcess } from './support/handler-process.js';
import { JsonSocketClient } from './support/json-socket-client.js';

let bbs: HandlerProcess | undefined;
afterEach(async () => {
  await bbs?.stop();
  bbs = undefined;
});

describe('m2bbs start at every log level', () => {
  it.each(LOG_LEVELS)('--log-level %s: prints the banner and a caller gets the BBS', async (level) => {
    bbs = HandlerProcess.run(['start', '--log-level', level, '--listen', '127.0.0.1:0', '--telnet', '127.0.0.1:0', '--db', '$DIR/bbs.db']);
    const banner = (await bbs.waitForStdout(/Ctrl-C stops everything\./)).input;
    expect(banner).toContain('m2bbs is up: the proxy and 2 backends');
    const caller = await JsonSocketClient.open(Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1]));
    caller.send('connect');
    expect((await caller.untilPrompt()).texts.join('\n')).toContain('Welcome to the M2BBS.');
    caller.destroy();
    expect(await bbs.stop()).toBe(0);
    if (level === 'silent') expect(bbs.stderrText).toBe('');
  });
});
