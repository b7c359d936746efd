import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openApiDocument } from '../../src/contract/openapi.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ADMIN = 'openapi-admin';
let ts: TestServer;
before(async () => {
  ts = await startTestServer({ workers: '0', adminToken: ADMIN, clock: 'virtual' });
});
after(() => ts.close());

test('the document covers usage, blobs, the admin API, health and metrics', () => {
  const paths = Object.keys((openApiDocument() as { paths: object }).paths);
  for (const path of ['/v1/usage', '/v1/blobs/{key}', '/healthz', '/metrics', '/openapi.json', '/admin/v1/clients', '/admin/v1/clock/advance', '/admin/v1/reset']) {
    assert.ok(paths.includes(path), `${path} is documented`);
  }
});

test('every documented operation is served: none answers the unknown-route 404', async () => {
  const { paths } = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  for (const [path, operations] of Object.entries(paths)) {
    if (path.endsWith('/events')) continue; // event streams stay open: test/extensions covers them
    for (const method of Object.keys(operations).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
      const url = path.replace(/\{key\}/, 'generations/x/output-0.png').replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
      const headers: Record<string, string> = path.startsWith('/admin/') ? { authorization: `Bearer ${ADMIN}` } : {};
      const res = await ts.call(method.toUpperCase(), url, { headers, ...(method === 'get' || method === 'delete' ? {} : { body: {} }) });
      const text = await res.text();
      assert.ok(!(res.status === 404 && text === '{"detail":"Not Found"}') && res.status !== 405, `${method.toUpperCase()} ${path} is served (got ${res.status} ${text.slice(0, 80)})`);
    }
  }
});
