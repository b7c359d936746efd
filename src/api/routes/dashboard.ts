import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';

/** dist/web, built by `vite build` beside the compiled server. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

/**
 * No inline script or style, no eval, nothing from another origin: the page talks only to this
 * server's APIs. Outputs are its own signed blob URLs, minted on ATELIER_PUBLIC_URL when one is set,
 * or the bucket's presigned URLs (`mediaOrigins`).
 */
export function dashboardPolicy(publicUrl = '', mediaOrigins: string[] = []): string {
  const media = ["'self'", 'blob:', 'data:', ...(publicUrl ? [new URL(publicUrl).origin] : []), ...mediaOrigins].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${media}`,
    `media-src ${media}`,
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The strict CSP and its companions on every response of a scope serving pages. */
export function pageHeaders(scope: FastifyInstance, policy: string): void {
  scope.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('content-security-policy', policy);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    done(null, payload);
  });
}

/** `/dashboard/`: the built single-page app, precompressed, with a strict CSP; `/` redirects there. */
export function dashboardRoutes(app: FastifyInstance, config: Pick<Config, 'publicUrl'>, mediaOrigins: string[] = []): void {
  const policy = dashboardPolicy(config.publicUrl, mediaOrigins);
  const built = existsSync(`${DASHBOARD_DIR}index.html`);
  app.get('/', (_request, reply) => reply.redirect('/dashboard/', 302));
  app.get('/dashboard', (_request, reply) => reply.redirect('/dashboard/', 301));

  app.register(async (scope) => {
    pageHeaders(scope, policy);
    if (!built) {
      scope.get('/dashboard/*', (_request, reply) => {
        reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build:web` (npm ci does it).\n');
      });
      return;
    }
    await scope.register(fastifyStatic, {
      root: DASHBOARD_DIR,
      prefix: '/dashboard/',
      preCompressed: true,
      wildcard: false,
      index: ['index.html'],
      setHeaders: (res, file) => {
        res.setHeader('cache-control', file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  });
}
