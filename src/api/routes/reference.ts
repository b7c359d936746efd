import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { dashboardPolicy, pageHeaders } from './dashboard.js';

/** The packaged Swagger UI (static files, no network at install or at run time); null when not installed. */
function viewerDir(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return null;
  }
}
const VIEWER_FILES = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png']);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atelier API reference</title>
<link rel="stylesheet" href="/reference/swagger-ui.css">
<link rel="icon" type="image/png" href="/reference/favicon-32x32.png">
</head>
<body>
<main id="reference"></main>
<script src="/reference/swagger-ui-bundle.js"></script>
<script src="/reference/reference.js"></script>
</body>
</html>
`;

// A file, not inline, so the page keeps `script-src 'self'`. No validator badge: it would call out.
const INIT = `SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#reference',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/**
 * `/reference`: a readable view of `/openapi.json` (Swagger UI, served from the installed package,
 * so it works offline) under the dashboard's strict CSP. Not part of the Luma API; kept with --strict.
 */
export function referenceRoutes(app: FastifyInstance, config: Pick<Config, 'publicUrl'>): void {
  const policy = dashboardPolicy(config.publicUrl);
  const root = viewerDir();
  app.register(async (scope) => {
    pageHeaders(scope, policy);
    if (!root) {
      // A server must still start from a checkout whose node_modules predates this dependency.
      scope.get('/reference', (_request, reply) => {
        reply.code(503).type('text/plain').send('The API reference viewer is not installed: run `npm install`.\n');
      });
      return;
    }
    scope.get('/reference', (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE));
    scope.get('/reference/', (_request, reply) => reply.redirect('/reference', 301));
    scope.get('/reference/reference.js', (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(INIT),
    );
    await scope.register(fastifyStatic, {
      root,
      prefix: '/reference/',
      decorateReply: false,
      index: false,
      allowedPath: (pathname) => VIEWER_FILES.has(pathname),
      setHeaders: (res) => res.setHeader('cache-control', 'public, max-age=86400'),
    });
  });
}
