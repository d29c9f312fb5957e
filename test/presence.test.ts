/**
 * Who's online and last callers across backends (issue 17): callers on @bbs.10 and @bbs.11 see
 * each other with number, door and what they are doing; one who hangs up is gone from the next
 * list; a backend SIGKILLed takes its callers off the list (their heartbeat goes stale) until a
 * caller who types again is taken over and back; last callers lists logins with date and time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/log.js';
import { createEventBus, parseBusSpec, type EventBus } from '../handler/event-bus.js';
import { JsonSocketClient } from './support/json-socket-client.js';
import { until } from './support/process-tree.js';
import { TelnetCaller } from './support/telnet-caller.js';
import { startTestBbs, type TestBbs } from './support/test-bbs.js';

let bbs: TestBbs;
const callers: JsonSocketClient[] = [];
let watcher: EventBus | undefined;
beforeEach(async () => {
  bbs = await startTestBbs({ backends: 2, batch: true });
});
afterEach(async () => {
  for (const caller of callers.splice(0)) caller.destroy();
  await watcher?.close();
  watcher = undefined;
  await bbs.close();
});

/** A caller dialled to `number`, signed up as `name`; resolves with what they saw after the MOTD, at the main menu. */
async function signedUp(number: string, name: string): Promise<{ caller: JsonSocketClient; afterMotd: string }> {
  const caller = await JsonSocketClient.open(bbs.frontPort, `@${number}`);
  callers.push(caller);
  await caller.exchange('connect');
  for (const line of [name, 'secret12', 'y', 'secret12']) await caller.exchange(line);
  const turn = await caller.exchange('');
  expect(turn.prompt?.msg).toContain('MAIN MENU');
  return { caller, afterMotd: turn.texts.join('\n') };
}

/** What `W` at the main menu shows: the header and the caller lines. */
async function whosOnline(caller: JsonSocketClient): Promise<string> {
  const turn = await caller.exchange('W');
  expect(turn.prompt?.msg).toContain('MAIN MENU');
  return turn.texts.join('\n');
}

describe("who's online", () => {
  it('callers on two numbers see each other: name, number, door, time on, doing; the one who hangs up is gone from the next list', async () => {
    const { caller: ann } = await signedUp('bbs.10', 'ann');
    const { caller: bob, afterMotd } = await signedUp('bbs.11', 'bob');
    expect(afterMotd).toContain('2 callers online: ann, bob');
    bob.send('1');
    await bob.untilPrompt();

    const list = await whosOnline(ann);
    expect(list).toContain("Who's online now (2):");
    expect(list).toContain("  ann on bbs.10 by json, on for 0m: looking at who's online");
    expect(list).toContain('  bob on bbs.11 by json, on for 0m: writing a message');

    // bbs.11 is alive and beating: only the close can take bob off the list.
    bob.destroy();
    await until(async () => (!(await whosOnline(ann)).includes('bob') ? true : undefined), 'bob gone from the list');
    expect(await whosOnline(ann)).toContain("Who's online now (1):");
  });

  it("a killed backend's callers vanish (stale heartbeat) and are back once their call is taken over", async () => {
    const { caller: ann } = await signedUp('bbs.10', 'ann');
    const { caller: bob } = await signedUp('bbs.11', 'bob');
    expect(await whosOnline(ann)).toContain('  bob on bbs.11 by json');
    const bbs11 = bbs.handlers[1];
    bbs11?.child.kill('SIGKILL');
    await bbs11?.exited;
    await until(async () => (!(await whosOnline(ann)).includes('bob') ? true : undefined), 'bob off the list once bbs.11 stopped beating');

    // A call dialled to @bbs.11 waits for its number: a new bbs.11 takes it over, and bob is back.
    const bound = bbs.proxy.backends[1];
    if (bound === undefined) throw new Error('no bbs.11 link');
    await bbs.startHandler(bound);
    const moved = await bob.untilPrompt();
    expect(moved.texts).toContain('-- line moved to @bbs.11 --');
    expect(moved.prompt?.msg).toContain('MAIN MENU');
    const list = await whosOnline(ann);
    expect(list).toContain("Who's online now (2):");
    expect(list).toContain('  bob on bbs.11 by json, on for 0m: at the main menu');
    expect((await bob.exchange('')).prompt?.msg).toContain('MAIN MENU');
  });

  it('shows the door each caller came in by: telnet beside a JSON socket', async () => {
    const { caller: ann } = await signedUp('bbs.10', 'ann');
    const telnet = await TelnetCaller.open(bbs.telnetPort, 'dumb');
    try {
      await telnet.signUpToMenu('tom', 'secret12');
      expect(await whosOnline(ann)).toMatch(/ {2}tom on bbs\.1[01] by telnet, on for 0m: at the main menu/);
      const mine = await telnet.type('W', 'MAIN MENU');
      expect(mine).toContain("Who's online now (2):");
      expect(mine).toMatch(/ {2}ann on bbs\.10 by json, on for 0m: at the main menu/);
    } finally {
      telnet.close();
    }
  });

  it('says each change on the bus, on presence/', async () => {
    const spec = parseBusSpec(bbs.bus.spec);
    if ('problem' in spec) throw new Error(spec.problem);
    const bus = createEventBus({ spec, log: createLogger('silent') });
    watcher = bus;
    await bus.connected;
    const changes: { change?: string; name?: string | null; number?: string; doing?: string }[] = [];
    bus.onEvent((topic, body) => topic === 'presence/' && changes.push(body as (typeof changes)[number]));
    const { caller: cat } = await signedUp('bbs.11', 'cat');
    await until(() => (changes.some((c) => c.change === 'update' && c.name === 'cat' && c.doing === 'at the main menu') ? true : undefined), 'cat at the main menu on the bus');
    expect(changes[0]).toMatchObject({ change: 'on', name: null, number: 'bbs.11' });
    cat.destroy();
    await until(() => (changes.some((c) => c.change === 'off' && c.name === 'cat') ? true : undefined), 'cat gone on the bus');
  });
});

describe('last callers', () => {
  it('lists the logins, newest first, with date and time', async () => {
    const { caller: ann } = await signedUp('bbs.10', 'ann');
    await signedUp('bbs.11', 'bob');
    const turn = await ann.exchange('L');
    const text = turn.texts.join('\n');
    expect(text).toContain('The last 2 callers, newest first:');
    expect(text).toMatch(/ {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}bob on bbs\.11 by json\n {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}ann on bbs\.10 by json/);
  });
});
