import net from 'node:net';
import { apiError } from '../../contract/index.js';
import type { AddressVerdict } from './address-policy.js';

export interface TargetPolicy {
  /** Allows http:// and private, loopback and link-local addresses: local development only. */
  allowPrivate: boolean;
  checkAddress: (address: string) => AddressVerdict;
}

/**
 * The URL a request may go to, before DNS: absolute http(s), https only and never to a literal
 * non-public address unless private URLs are allowed, no credentials, no https → http redirect.
 * Host names are checked again on the address actually connected to (pinned-lookup.ts).
 * Shared by input fetches and webhook deliveries.
 */
export function checkUrlTarget(raw: string, path: string, policy: TargetPolicy, from: URL | null = null): URL {
  let url: URL;
  try {
    url = new URL(raw, from ?? undefined);
  } catch {
    throw apiError('REF_URL_INVALID', { path });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw apiError('REF_URL_INVALID', { path });
  if (from?.protocol === 'https:' && url.protocol === 'http:') throw apiError('REF_FETCH_DOWNGRADE', { path });
  if (policy.allowPrivate) return url;
  if (url.protocol !== 'https:') throw apiError('REF_URL_NOT_HTTPS', { path });
  if (url.username || url.password) throw apiError('REF_URL_INVALID', { path });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    const verdict = policy.checkAddress(host);
    if (!verdict.allowed) throw apiError('REF_URL_NOT_PUBLIC', { path, host, range: verdict.range });
  }
  return url;
}
