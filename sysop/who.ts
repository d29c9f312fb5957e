/** `m2bbs sysop who`: every caller on every number, from the presence rows the backends keep. */
import type { SysopCommand } from './command.js';
import { liveCalls, shortConn } from './live-calls.js';
import { lengthOf, textTable } from './text-table.js';

/** The who command. */
export const WHO: SysopCommand = {
  name: 'who',
  args: '',
  summary: 'every caller on every number: call id, number, door, address, name, on for, doing',
  minArgs: 0,
  maxArgs: 0,
  flags: [],
  async run(context) {
    const now = Date.now();
    const calls = liveCalls(context.store(), now);
    const json = calls.map((call) => ({
      conn: call.conn,
      number: call.number,
      door: call.door,
      remote: call.remote,
      name: call.name,
      since: new Date(call.since).toISOString(),
      onForMs: now - call.since,
      doing: call.doing,
    }));
    if (calls.length === 0) return context.out('Nobody is on.', json);
    const rows = calls.map((call) => [shortConn(call.conn), call.number, call.door, call.remote ?? 'unknown', call.name ?? '(not logged in)', lengthOf(now - call.since), call.doing === '' ? '-' : call.doing]);
    const count = `${calls.length} caller${calls.length === 1 ? '' : 's'} on.`;
    context.out(`${textTable(['CALL', 'NUMBER', 'DOOR', 'ADDRESS', 'NAME', 'ON FOR', 'DOING'], rows)}\n${count}`, json);
  },
};
