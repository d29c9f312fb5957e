/**
 * `m2bbs sysop ban NAME|--address IP [--reason TEXT]` and `unban`: a ban holds at once. A banned
 * caller who is on is shown the `banned` screen with the reason and hung up (a hang-up order,
 * db/hang-up-orders.ts); a banned name cannot log in nor sign up, and a caller from a banned
 * address is refused when they dial in (handler/flows/login.ts). A name nobody has may be banned:
 * nobody can then sign up with it.
 */
import { isIP } from 'node:net';
import { BbsError } from '../common/errors.js';
import { canonicalAddress } from '../common/remote-address.js';
import { escapeForTerminal } from '../common/terminal-safe.js';
import type { BanKind } from '../db/bans.js';
import { ANY_CALLER } from '../db/hang-up-orders.js';
import type { SysopCommand, SysopContext } from './command.js';
import { ordersCarriedOut } from './orders-carried-out.js';
import { liveCalls } from './live-calls.js';

/** The screen a banned caller is shown (screens/banned.txt), its {{reason}} the sysop's text. */
export const BANNED_SCREEN = 'banned';
/** What the caller is shown when the sysop gave no reason. */
export const NO_BAN_REASON = 'no reason given';
// A reason is one short line on the caller's screen.
const MAX_REASON = 200;
// Longer than any name the board takes: a typo, not a name.
const MAX_NAME = 64;

/** The ban's target as stored: a name as typed (trimmed), an address as the board counts it. */
function targetOf(command: string, context: SysopContext, typed: string): { kind: BanKind; value: string } {
  const value = typed.trim();
  if (context.flags.address === true) {
    const bare = value.includes('%') ? value.slice(0, value.indexOf('%')) : value;
    if (isIP(bare) === 0) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop ${command} --address: expected an IPv4 or IPv6 address, got ${JSON.stringify(typed)}`);
    return { kind: 'address', value: canonicalAddress(bare) };
  }
  if (value === '' || value.length > MAX_NAME || /[\p{Cc}]/u.test(value)) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop ${command}: expected a caller's name (1 to ${MAX_NAME} characters, no control characters), got ${JSON.stringify(typed)}`);
  return { kind: 'name', value };
}

function reasonOf(context: SysopContext): string {
  const reason = (context.flags.reason ?? NO_BAN_REASON).trim();
  if (reason === '' || reason.length > MAX_REASON || /[\p{Cc}]/u.test(reason)) throw new BbsError('BBS_ERR_USAGE', `m2bbs sysop ban: --reason is the one line the caller is shown: 1 to ${MAX_REASON} characters, got ${JSON.stringify(reason)}`);
  return reason;
}

// The lines to hang up, as who shows the calls on (a line a backend that died left in the
// tables is not waited for): every line of a caller, or every call from an address.
function onNow(context: SysopContext, who: number | string | undefined, now: number): { line: string; callerId: number }[] {
  if (who === undefined) return [];
  const calls = liveCalls(context.store(), now);
  const meant = typeof who === 'string' ? calls.filter((call) => call.remote !== null && canonicalAddress(call.remote) === who) : calls.filter((call) => call.callerId === who);
  return meant.map((call) => ({ line: call.conn, callerId: call.callerId ?? ANY_CALLER }));
}

/** The ban command. */
export const BAN: SysopCommand = {
  name: 'ban',
  args: 'NAME|IP',
  summary: 'refuse a name (hung up if on, no login nor sign-up) or, with --address, calls from an IP',
  minArgs: 1,
  maxArgs: 1,
  flags: ['reason', 'address'],
  async run(context, [typed = '']) {
    const target = targetOf('ban', context, typed);
    const reason = reasonOf(context);
    const store = context.store();
    const caller = target.kind === 'name' ? store.findCaller(target.value) : undefined;
    const value = caller?.name ?? target.value;
    const now = Date.now();
    const isNew = store.bans.ban({ kind: target.kind, value, reason, madeAt: now, madeBy: context.sysop });
    await context.audit(target.kind === 'name' ? 'ban' : 'ban-address', value, reason);
    const shown = escapeForTerminal(value);
    const lines = [`${isNew ? 'Banned' : 'Ban updated:'} ${target.kind === 'address' ? `address ${shown}` : shown}; reason: ${escapeForTerminal(reason)}`];
    if (target.kind === 'name' && caller === undefined) lines.push(`Nobody has the name ${shown}: nobody can sign up with it now.`);
    // A banned caller who is on now is told and hung up, wherever their line is held: by name,
    // every line of theirs; by address, every call from it, logged in or not.
    const on = onNow(context, target.kind === 'name' ? caller?.id : value, now);
    const orders = on.map(({ line, callerId }) => store.hangUps.order(line, callerId, BANNED_SCREEN, now, reason));
    const hungUp = (await ordersCarriedOut(context.database(), orders.map((order) => order.id))).size;
    const who = target.kind === 'name' ? shown : `${orders.length} ${orders.length === 1 ? 'call' : 'calls'} from it`;
    if (orders.length > 0 && hungUp === orders.length) lines.push(`${who} ${target.kind === 'name' ? 'was' : orders.length === 1 ? 'was' : 'were'} on: shown the reason and hung up.`);
    else if (orders.length > 0) lines.push(`${who} may be on: ordered hung up, ${hungUp} of ${orders.length} done so far (is the BBS running?).`);
    context.out(lines.join('\n'), { kind: target.kind, value, reason, new: isNew, registered: target.kind === 'name' ? caller !== undefined : null, hungUp });
  },
};

/** The unban command. */
export const UNBAN: SysopCommand = {
  name: 'unban',
  args: 'NAME|IP',
  summary: 'lift a ban on a name or, with --address, on an IP',
  minArgs: 1,
  maxArgs: 1,
  flags: ['address'],
  async run(context, [typed = '']) {
    const target = targetOf('unban', context, typed);
    const { bans } = context.store();
    const ban = bans.banOf(target.kind, target.value);
    const what = `${target.kind === 'address' ? 'address ' : ''}${escapeForTerminal(target.value)}`;
    if (ban === undefined || !bans.unban(target.kind, target.value)) throw new BbsError('BBS_ERR_SYSOP_NOT_FOUND', `m2bbs sysop unban: ${what} is not banned`);
    await context.audit(target.kind === 'name' ? 'unban' : 'unban-address', ban.value);
    context.out(`Ban lifted: ${target.kind === 'address' ? 'address ' : ''}${escapeForTerminal(ban.value)}`, { kind: target.kind, value: ban.value, lifted: true });
  },
};
