export { checkAddress, type AddressVerdict } from './address-policy.js';
export type { Resolver } from './pinned-lookup.js';
export { createMediaFetcher, type FetchPolicy, type FetchedMedia, type MediaFetcher, type MediaKind } from './fetcher.js';
export { checkUrlTarget, type TargetPolicy } from './url-target.js';
export { pinnedLookup, systemResolver, AddressRefused } from './pinned-lookup.js';
