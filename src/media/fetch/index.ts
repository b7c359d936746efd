export { checkAddress, type AddressVerdict } from './address-policy.js';
export { createMediaFetcher, type FetchPolicy, type FetchedMedia, type MediaFetcher, type MediaKind } from './fetcher.js';
