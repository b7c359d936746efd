import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ConfigFlags } from '../../src/config.js';
import { KEY_B, startTestServer, tempDir, type TestServer } from './server.js';

export const UPSTREAM_KEY = KEY_B;
export const ADMIN_TOKEN = 'test-admin-token';

/** The admin view of a generation (engine, upstream id, price) on a server started with ADMIN_TOKEN. */
export async function adminView(server: { url: string }, id: string): Promise<any> {
  return (await fetch(`${server.url}/admin/v1/generations/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
}

/** Writes a routing file into a fresh directory and answers its path. */
export function routingFile(yaml: string): string {
  const file = path.join(tempDir('atelier-routing-'), 'atelier.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

/** A gateway (a test server with a routing file) in front of `upstream`, keyed with UPSTREAM_KEY through LUMA_UPSTREAM_API_KEY. */
export function startGateway(yaml: string, flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = { LUMA_UPSTREAM_API_KEY: UPSTREAM_KEY }): Promise<TestServer> {
  return startTestServer({ config: routingFile(yaml), ...flags }, { env });
}

/** A luma engine entry pointing at an Atelier upstream. */
export function lumaEntry(name: string, upstream: { url: string }, extra = ''): string {
  return `  ${name}:\n    type: luma\n    base_url: ${upstream.url}/v1\n    api_key: { env: LUMA_UPSTREAM_API_KEY }\n    poll_interval_ms: 20\n${extra}`;
}

export type Sabotage = 'none' | 'truncate-outputs' | 'garbage-outputs' | 'missing-outputs' | 'slow-submits';

export interface SabotagingProxy {
  url: string;
  /** What the proxy does to the next requests. */
  mode: Sabotage;
  close(): Promise<void>;
}

/**
 * A proxy in front of an Atelier upstream that passes everything through (Host too, so the
 * upstream mints output URLs that come back through it) unless told to damage something:
 * output downloads truncated, replaced by garbage or gone, or submits answered slowly.
 */
export async function sabotagingProxy(upstream: TestServer): Promise<SabotagingProxy> {
  const target = new URL(upstream.url);
  const proxy: SabotagingProxy = { url: '', mode: 'none', close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const mode = proxy.mode;
      const blob = req.method === 'GET' && req.url!.startsWith('/v1/blobs/');
      if (blob && mode === 'missing-outputs') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not found"}');
      const forward = () => {
        const out = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk) => body.push(chunk));
          answer.on('end', () => {
            let bytes = Buffer.concat(body);
            const headers = { ...answer.headers };
            if (blob && mode === 'truncate-outputs') bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
            if (blob && mode === 'garbage-outputs') bytes = Buffer.from('<html>an error page, not an image</html>');
            delete headers['transfer-encoding'];
            headers['content-length'] = String(bytes.length);
            res.writeHead(answer.statusCode!, headers).end(bytes);
          });
        });
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      };
      if (mode === 'slow-submits' && req.method === 'POST') setTimeout(forward, 1500);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
