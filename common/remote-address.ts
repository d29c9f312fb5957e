/** One caller's address, spelled one way wherever it is counted (caps at the proxy, login throttling at a backend). */

/** `remote` as a key: an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is its IPv4 one; 'unknown' when not given. */
export function canonicalAddress(remote: string | undefined): string {
  if (remote === undefined) return 'unknown';
  return remote.toLowerCase().startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}
