import tls from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import { ApiError, apiError } from '../../contract/index.js';
import { baseMediaType } from '../media-type.js';
import { checkAddress as publicOnly, type AddressVerdict } from './address-policy.js';
import { AddressRefused, pinnedLookup, systemResolver, type Resolver } from './pinned-lookup.js';
import { checkUrlTarget } from './url-target.js';

export type MediaKind = 'image' | 'video';

export interface FetchPolicy {
  /** Allows http:// and private, loopback and link-local addresses: local development only. */
  allowPrivate: boolean;
  /** Total time for every hop and the whole body. */
  timeoutMs: number;
  maxRedirects: number;
  /** Byte caps per media kind. */
  maxBytes: Record<MediaKind, number>;
  /** Extra trusted CA certificates (PEM), added to Node's roots. */
  ca?: string;
  /** The address policy; tests swap it to let a loopback fake stand in for a public host. */
  checkAddress?: (address: string) => AddressVerdict;
  /** Name resolution; tests stand in for DNS. */
  resolve?: Resolver;
}

export interface FetchedMedia {
  bytes: Buffer;
  /** The response's media type, lower case, without parameters. */
  contentType: string;
}

export interface MediaFetcher {
  /** Fetches `url` for the input at `path`; every refusal is an ApiError carrying `path`. */
  fetch(url: string, path: string, options?: { kind?: MediaKind }): Promise<FetchedMedia>;
  close(): Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const TOO_LARGE = { image: 'REF_IMAGE_TOO_LARGE', video: 'REF_VIDEO_TOO_LARGE' } as const;
const WRONG_TYPE = { image: 'REF_NOT_IMAGE', video: 'REF_NOT_VIDEO' } as const;

/**
 * The SSRF-hardened fetcher of spec §3.9: https only, public addresses only (checked on the
 * address actually connected to), at most `maxRedirects` hops each checked again and never
 * https → http, 2xx with the kind's content type, a streamed byte cap and a total timeout.
 */
export function createMediaFetcher(policy: FetchPolicy): MediaFetcher {
  const checkAddress = policy.checkAddress ?? publicOnly;
  const agent = new Agent({
    connect: {
      lookup: pinnedLookup(policy.allowPrivate, checkAddress, policy.resolve ?? systemResolver),
      ...(policy.ca ? { ca: [...tls.rootCertificates, policy.ca] } : {}),
    },
  });

  /** The next URL to request, after the scheme and literal-address checks. */
  const checkTarget = (raw: string, path: string, from: URL | null): URL => checkUrlTarget(raw, path, { allowPrivate: policy.allowPrivate, checkAddress }, from);

  async function fetchMedia(raw: string, path: string, options: { kind?: MediaKind } = {}): Promise<FetchedMedia> {
    const kind = options.kind ?? 'image';
    const cap = policy.maxBytes[kind];
    const signal = AbortSignal.timeout(policy.timeoutMs);
    let url = checkTarget(raw, path, null);
    let response: Dispatcher.ResponseData;
    try {
      for (let hop = 0; ; hop++) {
        response = await request(url, {
          dispatcher: agent,
          signal,
          headers: { accept: `${kind}/*`, 'user-agent': 'Atelier media fetcher' },
        });
        const location = response.headers.location;
        if (!REDIRECTS.has(response.statusCode) || typeof location !== 'string') break;
        await discard(response.body);
        if (hop >= policy.maxRedirects) throw apiError('REF_FETCH_TOO_MANY_REDIRECTS', { path, max: policy.maxRedirects });
        url = checkTarget(location, path, url);
      }

      const { statusCode, headers, body } = response;
      if (statusCode < 200 || statusCode > 299) {
        await discard(body);
        throw apiError('REF_FETCH_HTTP', { path, status: statusCode });
      }
      const contentType = baseMediaType(String(headers['content-type'] ?? ''));
      if (!contentType.startsWith(`${kind}/`)) {
        await discard(body);
        throw apiError(WRONG_TYPE[kind], { path });
      }
      if (Number(headers['content-length']) > cap) {
        body.destroy();
        throw apiError(TOO_LARGE[kind], { path });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += chunk.length;
        if (size > cap) {
          body.destroy();
          throw apiError(TOO_LARGE[kind], { path });
        }
        chunks.push(chunk);
      }
      return { bytes: Buffer.concat(chunks, size), contentType };
    } catch (err) {
      throw asApiError(err, path, signal);
    }
  }

  return { fetch: fetchMedia, close: () => agent.close() };
}

/** Reads away a small body (a redirect's, an error page) so the connection can be reused; a big one closes it. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}

/** Maps a transport failure to the catalogue; ApiErrors pass through. */
function asApiError(err: unknown, path: string, signal: AbortSignal): ApiError {
  if (err instanceof ApiError) return err;
  const cause = (err as { cause?: unknown })?.cause;
  const refused = err instanceof AddressRefused ? err : cause instanceof AddressRefused ? cause : null;
  if (refused) return apiError('REF_URL_NOT_PUBLIC', { path, host: refused.host, range: refused.range });
  if (signal.aborted) return apiError('REF_FETCH_TIMEOUT', { path });
  const code = (err as { code?: string })?.code ?? (cause as { code?: string })?.code;
  // The resolver itself is failing (not an unknown host): ingestion is down, retry later.
  if (code === 'EAI_AGAIN') return apiError('URL_INGESTION_UNAVAILABLE', {}, { 'retry-after': '10' });
  return apiError('REF_FETCH_FAILED', { path });
}
