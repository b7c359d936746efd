import ipaddr from 'ipaddr.js';

/**
 * Cloud metadata and host endpoints a URL input may never reach, whatever range they sit in. Most
 * are link-local or private and refused by range already; those that are public unicast
 * (Azure's 168.63.129.16) are refused only by being here. docs/hardening.md lists them.
 */
export const HOST_ENDPOINTS: ReadonlyArray<{ cidr: string; what: string }> = [
  { cidr: '168.63.129.16/32', what: 'Azure WireServer and host endpoint (DNS, DHCP, health probes, VM agent)' },
  { cidr: '169.254.169.254/32', what: 'instance metadata of AWS, Azure, GCP, Oracle, DigitalOcean, OpenStack, Hetzner and others' },
  { cidr: '169.254.169.123/32', what: 'AWS Time Sync' },
  { cidr: '169.254.169.253/32', what: 'AWS VPC DNS resolver (link-local form)' },
  { cidr: '169.254.170.2/32', what: 'AWS ECS task metadata and credentials' },
  { cidr: '169.254.0.23/32', what: 'Tencent Cloud metadata' },
  { cidr: '100.100.100.200/32', what: 'Alibaba Cloud metadata' },
  { cidr: 'fd00:ec2::254/128', what: 'AWS instance metadata over IPv6' },
  { cidr: 'fd00:ec2::23/128', what: 'AWS Time Sync over IPv6' },
];

const parsed = HOST_ENDPOINTS.map(({ cidr }) => ipaddr.parseCIDR(cidr));

/** Whether the address is one of the endpoints above. */
export function isHostEndpoint(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return parsed.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}
