/**
 * `m2bbs sysop reset-password NAME`: a one-time password, printed once and stored only as its
 * hash (db/password.ts, as at sign-up). It works for one login, at which the caller must choose a
 * new password before reaching the menu (handler/flows/password.ts). Never in the audit or a log.
 */
import { randomInt } from 'node:crypto';
import { BbsError } from '../common/errors.js';
import { escapeForTerminal } from '../common/terminal-safe.js';
import { hashPassword } from '../db/password.js';
import type { SysopCommand } from './command.js';

// No 0/O, 1/l/I: read aloud or copied by hand without mistakes. 31 letters, 12 of them: 59 bits.
const CLEAR_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 12;

/** A random one-time password of clear letters and digits. */
export function oneTimePassword(): string {
  let password = '';
  for (let i = 0; i < LENGTH; i++) password += CLEAR_ALPHABET[randomInt(CLEAR_ALPHABET.length)];
  return password;
}

/** The reset-password command. */
export const RESET_PASSWORD: SysopCommand = {
  name: 'reset-password',
  args: 'NAME',
  summary: 'print a one-time password for NAME, who must choose a new one at their next login',
  minArgs: 1,
  maxArgs: 1,
  flags: [],
  async run(context, [name = '']) {
    const store = context.store();
    const caller = store.findCaller(name.trim());
    if (caller === undefined) throw new BbsError('BBS_ERR_SYSOP_NOT_FOUND', `m2bbs sysop reset-password: nobody is called ${escapeForTerminal(JSON.stringify(name))} (m2bbs sysop users lists the callers)`);
    const password = oneTimePassword();
    store.passwords.set(caller.id, await hashPassword(password), true);
    await context.audit('reset-password', caller.name, 'one-time password issued');
    context.out(`One-time password for ${escapeForTerminal(caller.name)}: ${password}\nIt works for one login, at which they must choose a new password.`, { name: caller.name, password });
  },
};
