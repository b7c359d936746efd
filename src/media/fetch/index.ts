export { checkAddress, type AddressVerdict } from './address-policy.js';
export type { Resolver } from './pinned-lookup.js';
export { createMediaFetcher, type FetchPolicy, type FetchedMedia, type MediaFetcher, type MediaKind } from './fetcher.js';
