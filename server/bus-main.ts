/** `m2bbs bus`: runs the event bus device alone (backends behind a real Mongrel2 reach it with --bus IN,OUT). */
import { isZmqEndpoint } from '../common/config-problems.js';
import { isNetworkTcp } from '../common/endpoint-exposure.js';
import { ipcPathProblem } from '../common/ipc-endpoint.js';
import { createLogger } from '../common/log.js';
import { LOG_LEVEL_FLAG, parseTable, usageText, type FlagTable } from '../common/flag-table.js';
import { stopOnSignals } from '../common/stop-on-signals.js';
import { startBusDevice } from './bus-device.js';
import { readBusCurve } from './start-bus.js';

/** The flags of `m2bbs bus`. */
export const BUS_FLAGS = {
  in: { kind: 'string', arg: 'SPEC', env: 'M2BBS_BUS_IN', default: 'tcp://127.0.0.1:9950', help: 'where backends publish (the XSUB side): a tcp://127.0.0.1:PORT or ipc://PATH endpoint' },
  out: { kind: 'string', arg: 'SPEC', env: 'M2BBS_BUS_OUT', default: 'tcp://127.0.0.1:9951', help: 'where backends subscribe (the XPUB side)' },
  'curve-key': {
    kind: 'string',
    arg: 'FILE',
    env: 'M2BBS_CURVE_KEY',
    help: "a secret certificate (the proxy's NAME.key from m2bbs keys, whose .pub the handlers' --curve-server names): the bus then speaks only CURVE, lets in only the keys in --curve-clients, and may bind an address other hosts reach",
  },
  'curve-clients': {
    kind: 'string',
    arg: 'DIR',
    env: 'M2BBS_CURVE_CLIENTS',
    help: 'the public certificates of the handlers allowed on the bus (*.pub, also in NUMBER/ folders, as m2bbs proxy reads them)',
  },
  'log-level': LOG_LEVEL_FLAG,
} as const satisfies FlagTable;

/** What `m2bbs bus --help` prints, generated from its flag table. */
export const BUS_USAGE = usageText(
  'm2bbs bus [flags]',
  `Runs the event bus device (an XSUB/XPUB forwarder) that carries chat lines, pages and who is
online between backends. m2bbs start runs its own; run this one for handlers behind a real
Mongrel2, and give each handler --bus IN,OUT (with --curve-key and --curve-server when the bus
has --curve-key). Ctrl-C (or SIGTERM) stops it.`,
  BUS_FLAGS,
);

/** Runs the device until a signal stops it. */
export async function runBus(argv: readonly string[]): Promise<void> {
  const { values, problems } = parseTable('m2bbs bus', BUS_USAGE, BUS_FLAGS, argv, process.env);
  const keyFile = values['curve-key'];
  const clientsDir = values['curve-clients'];
  const withCurve = keyFile !== undefined && clientsDir !== undefined;
  if ((keyFile === undefined) !== (clientsDir === undefined)) problems.add('--curve-key and --curve-clients go together: the bus needs its secret certificate and the folder of the handlers it lets in');
  for (const flag of ['in', 'out'] as const) {
    const spec = values[flag];
    if (!isZmqEndpoint(spec) || spec.startsWith('inproc://')) problems.add(`--${flag}: expected a ZeroMQ endpoint like tcp://127.0.0.1:9950 or ipc:///run/m2bbs/bus.${flag}, got "${spec}"`);
    // Without CURVE, anyone who reaches the bus reads every chat line and may forge them.
    else if (isNetworkTcp(spec) && !withCurve) problems.add(`--${flag}: ${spec} would be open to the network; without --curve-key the bus binds loopback (tcp://127.0.0.1:PORT) or ipc:// only`);
    else if (withCurve && !spec.startsWith('tcp://')) problems.add(`--${flag}: ${spec} is not a tcp:// endpoint, which CURVE is for; handlers on this host can use loopback tcp:// with their keys`);
    else {
      const tooLong = ipcPathProblem(`--${flag}`, spec);
      if (tooLong !== undefined) problems.add(tooLong);
    }
  }
  // Two `tcp://HOST:*` are two ports the system picks.
  if (values.in === values.out && !values.in.endsWith(':*')) problems.add(`--in and --out must differ, both are "${values.in}"`);
  const curve = withCurve ? readBusCurve({ secretFile: keyFile, clientsDir }, 'm2bbs bus', problems) : undefined;
  problems.check('m2bbs bus');
  const log = createLogger(values['log-level']).child({ bus: true });
  const device = await startBusDevice(values.in, values.out, log, curve, (why) => {
    // Handlers would publish into a dead bus for ever: exit non-zero, for whatever runs this to see.
    console.error(`m2bbs bus: the device stopped (${why}); exiting`);
    process.exit(1);
  });
  // The one line a sysop copies into each handler's flags.
  console.log(`m2bbs bus: up; give each handler --bus ${device.spec}`);
  stopOnSignals(log, () => device.close());
}
