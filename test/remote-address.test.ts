/** The one spelling of a caller's address that the proxy's caps and the login throttle count by. */
import { describe, expect, it } from 'vitest';
import { canonicalAddress } from '../common/remote-address.js';

describe('canonicalAddress', () => {
  it('keeps an IPv4 address as it is, and reads an IPv4-mapped IPv6 address as its IPv4 one', () => {
    expect(canonicalAddress('203.0.113.9')).toBe('203.0.113.9');
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(canonicalAddress('::ffff:a01:203')).toBe('10.1.2.3');
    expect(canonicalAddress(undefined)).toBe('unknown');
  });

  it('counts every IPv6 address in one /64 as one caller, however it is written', () => {
    const key = '2001:db8:0:0::/64';
    for (const spelling of ['2001:db8::1', '2001:0db8:0:0::2', '2001:DB8:0000:0000:ffff:ffff:ffff:ffff', '2001:db8::ffff:1', '2001:db8::1.2.3.4', '2001:db8::1%eth0']) {
      expect(canonicalAddress(spelling), spelling).toBe(key);
    }
    expect(canonicalAddress('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(canonicalAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(canonicalAddress('::1')).toBe('0:0:0:0::/64');
    expect(canonicalAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(canonicalAddress('1:2:3:4:5:6:1.2.3.4')).toBe('1:2:3:4::/64');
  });

  it('leaves anything that is not an IP address as it is', () => {
    expect(canonicalAddress('not-an-address')).toBe('not-an-address');
    expect(canonicalAddress('2001:db8:::1')).toBe('2001:db8:::1');
  });

  it('is what the proxy caps count by', () => {
    expect(canonicalAddress('2001:db8::7')).toBe(canonicalAddress('2001:db8::8'));
  });
});
