/** `m2bbs sysop` subcommands on the board's callers and messages in its database (users, user, messages, delete-message, move-message, delete-user). */
import type { SysopCommand } from './command.js';
import { DELETE_USER } from './delete-user.js';
import { DELETE_MESSAGE, MESSAGES, MOVE_MESSAGE } from './messages.js';
import { USER, USERS } from './users.js';

export const BOARD_COMMANDS: readonly SysopCommand[] = [USERS, USER, MESSAGES, DELETE_MESSAGE, MOVE_MESSAGE, DELETE_USER];
