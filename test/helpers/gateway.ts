import fs from 'node:fs';
import path from 'node:path';
import type { ConfigFlags } from '../../src/config.js';
import { KEY_B, startTestServer, tempDir, type TestServer } from './server.js';

export const UPSTREAM_KEY = KEY_B;

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
export function lumaEntry(name: string, upstream: TestServer, extra = ''): string {
  return `  ${name}:\n    type: luma\n    base_url: ${upstream.url}/v1\n    api_key: { env: LUMA_UPSTREAM_API_KEY }\n    poll_interval_ms: 20\n${extra}`;
}
