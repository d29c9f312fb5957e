/**
 * What the proxy says at start about --curve-clients against its numbers: keys named for no
 * number it serves (a typo, or a number not configured yet: let in nowhere), and CURVE numbers
 * with no key (no backend can attach there). Warnings, not config problems, since numbers and
 * keys may be added one before the other.
 */
import type { CurveClients } from '../common/curve-flags.js';
import type { Logger } from '../common/log.js';
import type { BackendSpec } from './backend-link.js';

/** Logs a warn line for keys of unserved numbers and for tcp:// numbers without keys. */
export function warnUnmatchedKeys(clients: CurveClients, backends: readonly BackendSpec[], log: Logger): void {
  const served = new Set(backends.map((b) => b.number));
  const unserved = [...clients.keys()].filter((number) => !served.has(number));
  if (unserved.length > 0) {
    log.warn('CURVE keys for numbers this proxy does not serve: let in nowhere', { numbers: unserved, served: [...served], hint: 'name a key NUMBER.pub, or put it in a folder NUMBER/, after the number it serves' });
  }
  const keyless = backends.filter((b) => b.sendSpec.startsWith('tcp://') && !clients.has(b.number)).map((b) => b.number);
  if (keyless.length > 0) log.warn('CURVE numbers with no key in --curve-clients: no backend can attach', { numbers: keyless });
}
