/** The numbers and endpoints backends get when nobody configures them, and how a `--backend` flag names one. */

/** The default endpoints of the i-th backend (0-based): bbs.10 on 9910/9911, bbs.11 on 9920/9921, ... */
export function defaultBackend(index: number): { readonly number: string; readonly sendSpec: string; readonly recvSpec: string } {
  const port = 9910 + index * 10;
  return { number: `bbs.${10 + index}`, sendSpec: `tcp://127.0.0.1:${port}`, recvSpec: `tcp://127.0.0.1:${port + 1}` };
}

/** The `--backend` value that names a number and its endpoints to `m2bbs proxy`: `bbs.10=SEND_SPEC,RECV_SPEC`. */
export function backendFlag(spec: { readonly number: string; readonly sendSpec: string; readonly recvSpec: string }): string {
  return `${spec.number}=${spec.sendSpec},${spec.recvSpec}`;
}

/**
 * The drain time limit as a flag, shared by `m2bbs handler` (how long it drains) and `m2bbs proxy`
 * (how long a handed-off call waits for a free line): one setting, so one range and default.
 */
export const DRAIN_TIMEOUT_FLAG = {
  kind: 'integer',
  arg: 'MS',
  min: 0,
  max: 86_400_000,
  default: 60_000,
  env: 'M2BBS_DRAIN_TIMEOUT_MS',
} as const;
