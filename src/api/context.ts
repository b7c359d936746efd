import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator, Principal, RpmLimiter } from '../accounts/index.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Emulator } from '../emulator/emulator.js';
import type { Events } from '../events.js';
import type { MediaFetcher } from '../media/fetch/index.js';
import type { Metrics } from '../metrics.js';
import type { BlobStore, BlobUrls } from '../storage/index.js';
import type { Store } from '../store/index.js';
import type { VideoToolkit } from '../media/video/index.js';
import type { Routing } from '../engines/index.js';

/** What the routes are given: the ports they call, nothing more. */
export interface ApiDeps {
  config: Readonly<Config>;
  store: Store;
  blobs: BlobStore;
  /** Mints the URLs of blobs in responses. */
  urls: BlobUrls;
  fetcher: MediaFetcher;
  /** Checks our own signed /v1/blobs and /v1/uploads URLs. */
  secret: Buffer;
  clock: Clock;
  auth: Authenticator;
  limiter: RpmLimiter;
  events: Events;
  metrics: Metrics;
  /** ffmpeg, for probing video sources at submit. */
  video?: VideoToolkit;
  /** `<data-dir>/scratch`: where blobs kept elsewhere are copied for ffmpeg. */
  scratchDir?: string;
  /** Which models are served here, by which engines, at what price. */
  routing: Routing;
  /** Faults and latency plans; absent where no submissions are served (the admin CLI). */
  emulator?: Emulator;
  isReady(): boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The origin minted URLs start with. */
export function baseUrl(config: Pick<Config, 'publicUrl'>, request: FastifyRequest): string {
  return config.publicUrl || `${request.protocol}://${request.host}`;
}

/** The onRequest hook of client routes: a Bearer key, before the body is even parsed. */
export function authenticate(deps: Pick<ApiDeps, 'auth'>) {
  // Callback style, so a cached key costs no promise.
  return (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    try {
      const cached = deps.auth.authenticateCached(request.headers.authorization);
      if (cached) {
        request.principal = cached;
        return done();
      }
    } catch (err) {
      return done(err as Error);
    }
    deps.auth.authenticate(request.headers.authorization).then((principal) => {
      request.principal = principal;
      done();
    }, done);
  };
}
