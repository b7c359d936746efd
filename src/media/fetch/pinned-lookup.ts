import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { AddressVerdict } from './address-policy.js';

/** Raised from the lookup when a host resolves to no address the policy allows. */
export class AddressRefused extends Error {
  readonly code = 'ATELIER_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly range: string,
  ) {
    super(`${host} resolves to a non-public address (${range})`);
  }
}

/** Resolves a host name to its addresses: DNS, or a stand-in in tests. */
export type Resolver = (hostname: string, family: number) => Promise<dns.LookupAddress[]>;

export const systemResolver: Resolver = (hostname, family) => dns.promises.lookup(hostname, { all: true, family: family as 0 | 4 | 6 });

/**
 * A `lookup` for sockets: resolves the host once, keeps the first address the policy allows and
 * hands only that one to the socket, so the checked address is the connected address (no DNS
 * rebinding between check and connect). With `allowPrivate`, every address is allowed.
 */
export function pinnedLookup(allowPrivate: boolean, checkAddress: (address: string) => AddressVerdict, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0)).then(
      (addresses) => {
        const chosen = allowPrivate ? addresses[0] : addresses.find((a) => checkAddress(a.address).allowed);
        if (!chosen) {
          const first = addresses[0];
          const range = first ? (checkAddress(first.address) as { range: string }).range : 'none';
          return callback(new AddressRefused(hostname, range), '', 0);
        }
        if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [chosen]);
        else callback(null, chosen.address, chosen.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
