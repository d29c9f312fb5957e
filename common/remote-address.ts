/** One caller's address, spelled one way wherever it is counted (caps at the proxy, login throttling at a backend). */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * `remote` as a key: an IPv4 address as it is; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as
 * its IPv4 one; any other IPv6 address as its /64 (`2001:db8:0:0::/64`); 'unknown' when not given.
 */
export function canonicalAddress(remote: string | undefined): string {
  if (remote === undefined) return 'unknown';
  // A zone (`fe80::1%eth0`) names the host's interface, not the caller.
  const bare = remote.includes('%') ? remote.slice(0, remote.indexOf('%')) : remote;
  if (!isIPv6(bare)) return remote;
  const groups = ipv6Groups(bare.toLowerCase());
  if (groups === undefined) return remote;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  // One subscriber commonly gets a whole /64, and may use any address in it: the /64 is the caller.
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

// The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read as two).
function ipv6Groups(address: string): number[] | undefined {
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  let head = address;
  const fromTail: number[] = [];
  if (isIPv4(tail)) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    fromTail.push((a << 8) | b, (c << 8) | d);
    // `::1.2.3.4` keeps its `::`; `64:ff9b::1.2.3.4` likewise; `1:2:3:4:5:6:1.2.3.4` drops a colon.
    head = address.slice(0, address.endsWith(`::${tail}`) ? lastColon + 1 : lastColon);
  }
  const read = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = head.indexOf('::');
  const groups = gap < 0 ? [...read(head), ...fromTail] : undefined;
  if (groups !== undefined) return groups.length === 8 ? groups : undefined;
  const before = read(head.slice(0, gap));
  const after = [...read(head.slice(gap + 2)), ...fromTail];
  const zeros = 8 - before.length - after.length;
  return zeros < 0 ? undefined : [...before, ...Array<number>(zeros).fill(0), ...after];
}
