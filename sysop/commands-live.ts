/** `m2bbs sysop` subcommands on the running BBS: who is on, kicking a caller, broadcasting to every caller (who, kick, broadcast). */
import { BROADCAST } from './broadcast.js';
import type { SysopCommand } from './command.js';
import { KICK } from './kick.js';
import { WHO } from './who.js';

export const LIVE_COMMANDS: readonly SysopCommand[] = [WHO, KICK, BROADCAST];
