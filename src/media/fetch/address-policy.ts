import ipaddr from 'ipaddr.js';
import { isHostEndpoint } from './host-endpoints.js';

/**
 * Which addresses a URL fetch may connect to: public unicast only. ipaddr.js names every
 * special-purpose range (loopback, RFC 1918 `private`, `linkLocal` with 169.254.169.254,
 * `carrierGradeNat`, `multicast`, `unspecified`, `broadcast`, `reserved`, IPv6 `uniqueLocal`,
 * 6to4, Teredo, NAT64 …); anything it does not call `unicast` is refused. IPv6 forms that
 * embed an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`) are judged by the
 * IPv4 address inside. Cloud metadata and host endpoints (host-endpoints.ts) that are public unicast are refused too.
 */
export type AddressVerdict = { allowed: true } | { allowed: false; range: string };

const ALLOWED = { allowed: true } as const;

const HOST_ENDPOINT = { allowed: false, range: 'cloudHostEndpoint' } as const;

function ipv4Verdict(address: ipaddr.IPv4): AddressVerdict {
  const range = address.range();
  if (range !== 'unicast') return { allowed: false, range };
  return isHostEndpoint(address) ? HOST_ENDPOINT : ALLOWED;
}

/** The embedded IPv4 address of an IPv4-compatible IPv6 address (::/96, deprecated by RFC 4291). */
function compatibleIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const parts = address.parts;
  if (parts.slice(0, 6).some((part) => part !== 0)) return null;
  return new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
}

/**
 * The address as the URL parser (and so the socket) reads it: ipaddr.js alone would read
 * `::8.8.8.8` as IPv4-mapped, where it is the IPv4-compatible `::808:808`.
 */
function canonicalIpv6(literal: string): string | null {
  try {
    return new URL(`http://[${literal}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** The verdict on one IP literal; anything that does not parse as an IP is refused. */
export function checkAddress(text: string): AddressVerdict {
  const literal = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // A zone index (fe80::1%eth0) only ever names a link-local address.
  if (literal.includes('%')) return { allowed: false, range: 'linkLocal' };
  const canonical = literal.includes(':') ? canonicalIpv6(literal) : literal;
  if (canonical === null || !ipaddr.isValid(canonical)) return { allowed: false, range: 'invalid' };
  const address = ipaddr.parse(canonical);
  if (address.kind() === 'ipv4') return ipv4Verdict(address as ipaddr.IPv4);

  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return ipv4Verdict(v6.toIPv4Address());
  const range = v6.range();
  if (range === 'unspecified' || range === 'loopback') return { allowed: false, range };
  const embedded = compatibleIpv4(v6);
  if (embedded) {
    const inner = ipv4Verdict(embedded);
    return inner.allowed ? { allowed: false, range: 'ipv4Compatible' } : inner;
  }
  if (range !== 'unicast') return { allowed: false, range };
  return isHostEndpoint(v6) ? HOST_ENDPOINT : ALLOWED;
}
