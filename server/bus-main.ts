/** `m2bbs bus`: runs the event bus device alone (backends behind a real Mongrel2 reach it with --bus IN,OUT). */
import { isZmqEndpoint } from '../common/config-problems.js';
import { isNetworkTcp } from '../common/endpoint-exposure.js';
import { ipcPathProblem } from '../common/ipc-endpoint.js';
import { createLogger } from '../common/log.js';
import { LOG_LEVEL_FLAG, parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import { stopOnSignals } from '../common/stop-on-signals.js';
import { startBusDevice } from './bus-device.js';

/** The flags of `m2bbs bus`. */
export const BUS_FLAGS = {
  in: { kind: 'string', arg: 'SPEC', env: 'M2BBS_BUS_IN', default: 'tcp://127.0.0.1:9950', help: 'where backends publish (the XSUB side): a tcp://127.0.0.1:PORT or ipc://PATH endpoint' },
  out: { kind: 'string', arg: 'SPEC', env: 'M2BBS_BUS_OUT', default: 'tcp://127.0.0.1:9951', help: 'where backends subscribe (the XPUB side)' },
  'log-level': LOG_LEVEL_FLAG,
} as const satisfies FlagTable;

/** What `m2bbs bus --help` prints, generated from its flag table. */
export const BUS_USAGE = usageText(
  'm2bbs bus [flags]',
  `Runs the event bus device (an XSUB/XPUB forwarder) that carries chat lines, pages and who is
online between backends. m2bbs start runs its own; run this one for handlers behind a real
Mongrel2, and give each handler --bus IN,OUT. Ctrl-C (or SIGTERM) stops it.`,
  BUS_FLAGS,
);

/** Runs the device until a signal stops it. */
export async function runBus(argv: readonly string[]): Promise<void> {
  const { values, problems } = parseTable('m2bbs bus', BUS_USAGE, BUS_FLAGS, argv, process.env);
  for (const flag of ['in', 'out'] as const) {
    const spec = values[flag];
    if (!isZmqEndpoint(spec) || spec.startsWith('inproc://')) problems.add(`--${flag}: expected a ZeroMQ endpoint like tcp://127.0.0.1:9950 or ipc:///run/m2bbs/bus.${flag}, got "${spec}"`);
    // Without CURVE, anyone who reaches the bus reads every chat line and may forge them.
    else if (isNetworkTcp(spec)) problems.add(`--${flag}: ${spec} would be open to the network; the bus binds loopback (tcp://127.0.0.1:PORT) or ipc:// only`);
    else {
      const tooLong = ipcPathProblem(`--${flag}`, spec);
      if (tooLong !== undefined) problems.add(tooLong);
    }
  }
  if (values.in === values.out) problems.add(`--in and --out must differ, both are "${values.in}"`);
  problems.check('m2bbs bus');
  const log = createLogger(values['log-level']).child({ bus: true });
  const device = await startBusDevice(values.in, values.out, log);
  // The one line a sysop copies into each handler's flags.
  console.log(`m2bbs bus: up; give each handler --bus ${device.spec}`);
  stopOnSignals(log, () => device.close());
}
