/** Writing an address as a URL or a `--listen` flag spells it. */

/** `host:port`, an IPv6 host in brackets (`[2001:db8::1]:6767`). */
export function hostPort(address: { readonly host: string; readonly port: number }): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
