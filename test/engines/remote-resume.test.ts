import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { imageInfo } from '../helpers/images.js';
import { spawnServer } from '../helpers/process.js';
import { KEY_A, startTestServer, tempDir } from '../helpers/server.js';
import { ADMIN_TOKEN, adminView, lumaEntry, routingFile, UPSTREAM_KEY } from '../helpers/gateway.js';

const headers = { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe('resumable upstream jobs', () => {
  test('a gateway killed (kill -9) while waiting resumes on the same upstream jobs: each submitted upstream exactly once', { timeout: 120_000 }, async () => {
    const upstream = await startTestServer();
    const dataDir = tempDir();
    // Every upstream generation takes 2.5 s, so the kill lands while the gateway waits on it.
    const config = routingFile(`engines:\n${lumaEntry('luma', upstream, '    headers: { X-Atelier-Fault: "latency:2500" }\n')}models:\n  uni-1:\n    engines: [luma]\n`);
    const env = {
      ATELIER_API_KEYS: KEY_A,
      ATELIER_ADMIN_TOKEN: ADMIN_TOKEN,
      ATELIER_LEASE_MS: '1000',
      ATELIER_MAX_CONCURRENT: '0',
      ATELIER_RPM: '0',
      LUMA_UPSTREAM_API_KEY: UPSTREAM_KEY,
    };
    const args = ['--data-dir', dataDir, '--config', config, '--mode', 'gateway'];
    try {
      let server = await spawnServer(args, env);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify({ prompt: `resume ${i}`, output_format: 'png' }) });
        assert.equal(res.status, 201);
        ids.push((await res.json()).id);
      }
      const upstreamIds = new Map<string, string>();
      const deadline = Date.now() + 20_000;
      while (upstreamIds.size < ids.length) {
        assert.ok(Date.now() < deadline, 'every generation reached upstream');
        for (const id of ids) {
          const view = await adminView(server, id);
          if (view.upstream_id) upstreamIds.set(id, view.upstream_id);
        }
        await sleep(20);
      }
      server.child.kill('SIGKILL');
      await server.exited;

      server = await spawnServer(args, env);
      try {
        for (const id of ids) {
          let body: any;
          for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
            body = await (await fetch(`${server.url}/v1/generations/${id}`, { headers })).json();
            if (body.state === 'completed' || body.state === 'failed') break;
          }
          assert.equal(body.state, 'completed', JSON.stringify(body));
          assert.equal((await imageInfo(Buffer.from(await (await fetch(body.output[0].url)).arrayBuffer()))).format, 'png');
          const view = await adminView(server, id);
          assert.equal(view.engine, 'luma');
          assert.equal(view.upstream_id, upstreamIds.get(id), 'the resumed job waited on the upstream job it had submitted');
        }
      } finally {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      const submitted = await upstream.server.store.db.selectFrom('generations').select('id').execute();
      assert.deepEqual(submitted.map((row) => row.id).sort(), [...upstreamIds.values()].sort(), 'upstream saw exactly one submission per generation');
    } finally {
      await upstream.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
