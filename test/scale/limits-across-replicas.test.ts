import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { ERRORS } from '../../src/contract/index.js';
import { postgresSchema, postgresSkip } from '../helpers/dialects.js';
import { spawnRole, stopProcesses, type ServerProcess } from '../helpers/process.js';
import { KEY_A, KEY_B } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const ADMIN = 'admin-token-limits';
const pgSkip = await postgresSkip();

test(
  'limits are exact across 4 API processes: 50 parallel POSTs each accept exactly --max-concurrent 10, and exactly RPM 30 with exact X-RateLimit headers',
  { skip: pgSkip, timeout: 120_000 },
  async () => {
    const db = await postgresSchema();
    const dataDir = tempDir();
    const env = { DATABASE_URL: db.url, ATELIER_API_KEYS: `${KEY_A},${KEY_B}`, ATELIER_ADMIN_TOKEN: ADMIN };
    const apis: ServerProcess[] = [];
    try {
      // No worker runs: every accepted generation stays queued and keeps its concurrency slot.
      apis.push(await spawnRole('api', ['--data-dir', dataDir, '--rpm', '30', '--max-concurrent', '10'], env));
      const more = await Promise.allSettled([1, 2, 3].map(() => spawnRole('api', ['--data-dir', dataDir, '--rpm', '30', '--max-concurrent', '10'], env)));
      for (const p of more) if (p.status === 'fulfilled') apis.push(p.value);
      for (const p of more) if (p.status === 'rejected') throw p.reason;
      const admin = (method: string, route: string, body?: object) =>
        fetch(`${apis[0].url}/admin/v1${route}`, {
          method,
          headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body && JSON.stringify(body),
        }).then((r) => r.json());
      const seeded = (await admin('GET', '/clients')).data as unknown[];
      assert.equal(seeded.length, 2, 'four API processes starting together seed each key once');
      // One client limited by concurrency only, one by RPM only (0 = unlimited).
      const a = await admin('POST', '/clients', { name: 'concurrency', rpm_limit: 0, max_concurrent: 10 });
      const b = await admin('POST', '/clients', { name: 'rpm', rpm_limit: 30, max_concurrent: 0 });
      const burst = (key: string) =>
        Promise.all(
          apis.flatMap((api) =>
            Array.from({ length: 50 }, (_, i) =>
              fetch(`${api.url}/v1/generations`, {
                method: 'POST',
                headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
                body: JSON.stringify({ prompt: `burst ${i}` }),
              }).then(async (res) => ({ status: res.status, headers: res.headers, body: await res.json() })),
            ),
          ),
        );

      const concurrent = await burst(a.key);
      assert.equal(concurrent.filter((r) => r.status === 201).length, 10);
      const refusedA = concurrent.filter((r) => r.status !== 201);
      assert.ok(refusedA.every((r) => r.status === 429 && r.body.detail === ERRORS.TOO_MANY_CONCURRENT.detail), JSON.stringify(refusedA[0]?.body));

      const rated = await burst(b.key);
      const accepted = rated.filter((r) => r.status === 201);
      assert.equal(accepted.length, 30);
      assert.deepEqual(
        accepted.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((x, y) => x - y),
        Array.from({ length: 30 }, (_, i) => i),
        'each accepted submit saw the window shared by every replica',
      );
      assert.ok(accepted.every((r) => r.headers.get('x-ratelimit-limit') === '30'));
      const refusedB = rated.filter((r) => r.status !== 201);
      assert.equal(refusedB.length, 170);
      for (const r of refusedB) {
        assert.equal(r.status, 429);
        assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
      }

      // A change made through one replica reaches the others' key caches at once (clients:changed).
      await admin('PATCH', `/clients/${b.client.id}`, { status: 'suspended' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const suspended = await fetch(`${apis[3].url}/v1/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${b.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'after suspension' }),
      });
      assert.ok(suspended.status === 401 || suspended.status === 403, `suspended client answered ${suspended.status}`);

      // One secret: an upload URL minted by one replica is accepted by another.
      const bytes = Buffer.from('89504e470d0a1a0a', 'hex');
      const created = await fetch(`${apis[1].url}/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' },
        body: JSON.stringify({ mime_type: 'image/png', size_bytes: bytes.length }),
      }).then((r) => r.json());
      const upload = new URL(created.upload.url);
      const put = await fetch(`${apis[2].url}${upload.pathname}${upload.search}`, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: bytes });
      assert.ok(put.status < 300, `PUT on another replica: ${put.status} ${await put.text()}`);
    } finally {
      await stopProcesses(apis);
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
