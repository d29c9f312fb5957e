/**
 * The bus's configuration refuses what would leave it open or unreachable: `m2bbs start` under
 * --zmq curve never hosts a bus in the clear, and a handler's --bus is checked by the same rules
 * as its --send-spec and --recv-spec.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isBbsError } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { parseHandlerConfig } from '../handler/config.js';
import { startBusFor } from '../server/start-bus.js';

const log = createLogger('silent');
let dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2bbs-bus-config-'));
  dirs.push(dir);
  return dir;
}

/** The problems `m2bbs handler` is refused with, or undefined when it is not. */
function refusal(argv: readonly string[]): string | undefined {
  try {
    parseHandlerConfig(argv, {});
    return undefined;
  } catch (error) {
    if (isBbsError(error)) return error.message;
    throw error;
  }
}

describe('the bus under CURVE', () => {
  it('m2bbs start --zmq curve without key files for the bus refuses to host it in the clear', async () => {
    const started = startBusFor('curve', folder(), log, undefined);
    const outcome = await started.then(
      async (device) => {
        await device.close();
        return 'started without CURVE';
      },
      (error: unknown) => (isBbsError(error) ? `${error.code}: ${error.message}` : String(error)),
    );
    expect(outcome).toBe('BBS_ERR_CONFIG: m2bbs start (bus): --zmq curve but no CURVE key files for the bus; it will not run in the clear');
  });

  it('m2bbs handler: --bus over ipc:// is refused with either CURVE flag, as --send-spec is', () => {
    const dir = folder();
    const spec = ['--send-spec', 'tcp://127.0.0.1:9910', '--recv-spec', 'tcp://127.0.0.1:9911', '--db', join(dir, 'x.db')];
    const bus = `ipc://${join(dir, 'bus.in')},ipc://${join(dir, 'bus.out')}`;
    for (const curveFlag of ['--curve-server', '--curve-key']) {
      const problems = refusal([...spec, curveFlag, join(dir, 'missing.key'), '--bus', bus]);
      expect(problems, curveFlag).toContain(`--bus: ipc://${join(dir, 'bus.in')} is an ipc:// endpoint, which the bus serves without CURVE`);
      expect(problems, curveFlag).toContain(`--bus: ipc://${join(dir, 'bus.out')} is an ipc:// endpoint, which the bus serves without CURVE`);
    }
    // Without CURVE the same bus is fine, and a bad one is said as before.
    expect(refusal([...spec, '--bus', bus])).toBeUndefined();
    expect(refusal([...spec, '--bus', `ipc://${join(dir, 'bus.in')},bogus`])).toContain('--bus: OUT expected a ZeroMQ endpoint like tcp://127.0.0.1:9910, got "bogus"');
  });
});
