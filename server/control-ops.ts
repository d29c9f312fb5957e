/** The ops `m2bbs start`'s control socket answers for `m2bbs drain`, `upgrade` and `add`; later commands add to the table. */
import { BbsError } from '../common/errors.js';
import type { ControlOps, ControlRequest } from './control-socket.js';
import { said, type Orchestrator } from './upgrade.js';

function numberOf(request: ControlRequest): string {
  if (typeof request.number !== 'string' || request.number === '') throw new BbsError('BBS_ERR_CONTROL_FAILED', `op ${request.op} needs "number", e.g. "bbs.10"`);
  return request.number;
}

/** The drain, upgrade and add ops, done by `orchestrator`. */
export function backendOps(orchestrator: Orchestrator): ControlOps {
  return {
    drain: async (request, progress) => {
      const result = await orchestrator.drain(numberOf(request), progress);
      return { ...result, message: `${result.backend} drained: ${said(result)}; it stays listed, DOWN (m2bbs add ${result.backend} starts it again)` };
    },
    upgrade: async (request, progress) => {
      const wanted = request.numbers;
      if (wanted !== undefined && (!Array.isArray(wanted) || !wanted.every((n) => typeof n === 'string'))) {
        throw new BbsError('BBS_ERR_CONTROL_FAILED', 'op upgrade takes "numbers": a list of numbers, or none for all');
      }
      const results = await orchestrator.upgrade((wanted ?? []) as string[], progress);
      return { results, message: `upgraded ${results.length} backend${results.length === 1 ? '' : 's'}` };
    },
    add: async (request, progress) => {
      const number = request.number === undefined ? undefined : numberOf(request);
      const added = await orchestrator.add(number, progress);
      return { backend: added.number, message: `${added.number} is up` };
    },
  };
}
