/** The numbers and endpoints backends get when nobody configures them. */

/** The default endpoints of the i-th backend (0-based): bbs.10 on 9910/9911, bbs.11 on 9920/9921, ... */
export function defaultBackend(index: number): { readonly number: string; readonly sendSpec: string; readonly recvSpec: string } {
  const port = 9910 + index * 10;
  return { number: `bbs.${10 + index}`, sendSpec: `tcp://127.0.0.1:${port}`, recvSpec: `tcp://127.0.0.1:${port + 1}` };
}
