/**
 * The control ops of `m2bbs sysop` that only the running BBS can do: `broadcast` publishes a
 * line for every caller on every number on the event bus `m2bbs start` hosts, through a publisher
 * of its own (joined at the first broadcast, hearing no topic but its probe); `log` puts a
 * sysop's action done in the database (a kick) in the BBS's log, naming the sysop.
 */
import { ConfigProblems } from '../common/config-problems.js';
import { handlerCurve } from '../common/curve-flags.js';
import { BbsError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { BusEvent } from '../handler/effects.js';
import { createEventBus, type BusSpec, type EventBus } from '../handler/event-bus.js';
import type { ControlOps, ControlRequest } from './control-socket.js';

/** The longest broadcast: a few lines on a caller's screen. */
export const MAX_BROADCAST = 500;
// What callers see it from (screens/broadcast.txt's {{from}}); the log names the sysop who sent it.
const FROM = 'sysop';
// The longest field of a logged action: a log line is not a place for a novel.
const MAX_LOGGED = 1000;
// The bus answers its probe within milliseconds; a device gone quiet is not waited on for ever.
const JOIN_WITHIN_MS = 5000;

/** The ops, and what closes their publisher. */
export interface SysopOps {
  readonly ops: ControlOps;
  close(): Promise<void>;
}

/** The broadcast op over the bus `busClient` says how to join. */
export function sysopOps(busClient: () => Promise<{ readonly spec: BusSpec; readonly curveArgs: readonly string[] }>, log: Logger): SysopOps {
  let joining: Promise<EventBus> | undefined;
  const join = async (): Promise<EventBus> => {
    const { spec, curveArgs } = await busClient();
    const flag = (name: string): string | undefined => (curveArgs.includes(name) ? curveArgs[curveArgs.indexOf(name) + 1] : undefined);
    const problems = new ConfigProblems();
    const curve = handlerCurve(flag('--curve-key'), flag('--curve-server'), problems);
    problems.check('m2bbs start (broadcast)');
    const bus = createEventBus({ spec, curve, log: log.child({ broadcast: true }), topics: [] });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BbsError('BBS_ERR_CONTROL_FAILED', `the event bus did not answer within ${JOIN_WITHIN_MS / 1000} s; nothing was sent`)), JOIN_WITHIN_MS);
    });
    try {
      await Promise.race([bus.connected, late]);
      return bus;
    } catch (error) {
      await bus.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  const joined = (): Promise<EventBus> => {
    // A failed join is tried afresh by the next broadcast.
    joining ??= join().catch((error: unknown) => {
      joining = undefined;
      throw error;
    });
    return joining;
  };

  return {
    ops: {
      broadcast: async (request) => {
        const text = textOf(request);
        const bus = await joined();
        const event: BusEvent = { kind: 'broadcast', from: FROM, text, at: new Date().toISOString() };
        bus.publish('broadcast/', event);
        log.info('broadcast', { sysop: typeof request.sysop === 'string' ? request.sysop : 'unknown', text });
        return { message: 'sent to every caller on every number' };
      },
      log: async (request) => {
        const field = (name: string): string | undefined => (typeof request[name] === 'string' ? (request[name] as string).slice(0, MAX_LOGGED) : undefined);
        const action = field('action');
        if (action === undefined || action === '') throw new BbsError('BBS_ERR_CONTROL_FAILED', 'op log needs "action", e.g. "kick"');
        log.info('sysop action', { sysop: field('sysop') ?? 'unknown', action, target: field('target') ?? '', ...(field('detail') === undefined ? {} : { detail: field('detail') }) });
        return { message: 'logged' };
      },
    },
    async close() {
      const bus = await joining?.catch(() => undefined);
      await bus?.close();
    },
  };
}

function textOf(request: ControlRequest): string {
  const text = typeof request.text === 'string' ? request.text.trim() : '';
  if (text === '' || text.length > MAX_BROADCAST) throw new BbsError('BBS_ERR_CONTROL_FAILED', `op broadcast needs "text": 1 to ${MAX_BROADCAST} characters`);
  return text;
}
