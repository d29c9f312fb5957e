/** `m2bbs sysop` subcommands on who may call: bans of names and addresses, passwords reset (ban, unban, reset-password). */
import { BAN, UNBAN } from './ban.js';
import type { SysopCommand } from './command.js';
import { RESET_PASSWORD } from './reset-password.js';

export const ACCESS_COMMANDS: readonly SysopCommand[] = [BAN, UNBAN, RESET_PASSWORD];
