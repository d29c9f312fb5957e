/**
 * `m2bbs sysop kick NAME|CALL [--reason TEXT]`: a hang-up order (db/hang-up-orders.ts) for each
 * line meant; whichever backend holds it shows the caller the `kicked` screen with the reason and
 * closes the line. The command waits, a few seconds at most, to say it was done.
 */
import { BbsError } from '../common/errors.js';
import { escapeForTerminal } from '../common/terminal-safe.js';
import { ANY_CALLER } from '../db/hang-up-orders.js';
import type { SysopCommand } from './command.js';
import { ordersCarriedOut, CARRIED_OUT_WITHIN_MS } from './orders-carried-out.js';
import { callsMeant, liveCalls, shortConn, type LiveCall } from './live-calls.js';

// The screen the caller is shown (screens/kicked.txt), its {{reason}} the sysop's text.
const KICKED_SCREEN = 'kicked';
const NO_REASON = 'no reason given';
// A reason is one short line on the caller's screen.
const MAX_REASON = 200;
// Backends look for orders every 250 ms; one that has not carried it out by then is not running.

/** The kick command. */
export const KICK: SysopCommand = {
  name: 'kick',
  args: 'NAME|CALL',
  summary: 'end a caller\'s line (by name, or a call id from who); they are shown --reason',
  minArgs: 1,
  maxArgs: 1,
  flags: ['reason'],
  async run(context, [target = '']) {
    const reason = (context.flags.reason ?? NO_REASON).trim();
    if (reason === '' || reason.length > MAX_REASON || /\p{Cc}/u.test(reason)) {
      throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop kick: --reason is the one line the caller is shown: 1 to ${MAX_REASON} characters, no control characters, got ${escapeForTerminal(JSON.stringify(reason))}`);
    }
    const db = context.database();
    const calls = callsMeant(liveCalls(context.store(), Date.now()), target, 'kick');
    const { hangUps } = context.store();
    const orders = calls.map((call) => ({ call, order: hangUps.order(call.conn, call.callerId ?? ANY_CALLER, KICKED_SCREEN, Date.now(), reason) }));
    for (const { call } of orders) {
      const target = `${call.name ?? '(not logged in)'} ${call.conn}`;
      await context.audit('kick', target, reason);
    }
    const done = await ordersCarriedOut(db, orders.map(({ order }) => order.id));
    const left = orders.filter(({ order }) => !done.has(order.id)).map(({ call }) => call);
    const who = (call: LiveCall): string => `${call.name === null ? 'a caller not logged in' : escapeForTerminal(call.name)} (call ${shortConn(call.conn)} on ${call.number})`;
    const json = { reason, kicked: orders.map(({ call }) => ({ conn: call.conn, name: call.name, number: call.number, done: !left.includes(call) })) };
    if (left.length > 0) {
      throw new BbsError('BBS_ERR_CONTROL_FAILED', `m2bbs sysop kick: no backend carried out the order for ${left.map(who).join(', ')} within ${CARRIED_OUT_WITHIN_MS / 1000} s; it stands, and the line closes once its backend looks (is the BBS running?)`);
    }
    context.out(orders.map(({ call }) => `Kicked ${who(call)}; they were shown: ${escapeForTerminal(reason)}`).join('\n'), json);
  },
};
