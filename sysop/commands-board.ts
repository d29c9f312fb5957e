/** `m2bbs sysop` subcommands on the board's callers and messages in its database (users, user, messages, delete-message, move-message, delete-user). */
import type { SysopCommand } from './command.js';

export const BOARD_COMMANDS: readonly SysopCommand[] = [];
