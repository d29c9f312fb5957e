/** `m2bbs sysop` subcommands on the running BBS: who is on, kicking a caller, broadcasting to every caller (who, kick, broadcast). */
import type { SysopCommand } from './command.js';

export const LIVE_COMMANDS: readonly SysopCommand[] = [];
