/** `m2bbs sysop` subcommands on who may call: bans of names and addresses, passwords reset (ban, unban, reset-password). */
import type { SysopCommand } from './command.js';

export const ACCESS_COMMANDS: readonly SysopCommand[] = [];
