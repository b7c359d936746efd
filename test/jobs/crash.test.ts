import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ledger, openStore } from '../../src/store/index.js';
import { imageInfo } from '../helpers/images.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { KEY_A, tempDir } from '../helpers/server.js';

const ENV = { ATELIER_API_KEYS: KEY_A, ATELIER_CREDITS: '1000', ATELIER_RPM: '0', ATELIER_MAX_CONCURRENT: '0', ATELIER_LEASE_MS: '1000', ATELIER_MAX_ATTEMPTS: '10' };
const headers = { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submit(server: ServerProcess, i: number): Promise<string> {
  const ratios = ['1:1', '16:9', '2:3', '3:1'];
  const body = { prompt: `crash test ${i}`, aspect_ratio: ratios[i % ratios.length], output_format: i % 2 ? 'jpeg' : 'png' };
  const res = await fetch(`${server.url}/v1/generations`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.equal(res.status, 201);
  return (await res.json()).id;
}

async function waitAll(server: ServerProcess, ids: string[], timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  const done = new Map<string, any>();
  while (done.size < ids.length) {
    assert.ok(Date.now() < deadline, `only ${done.size}/${ids.length} generations finished`);
    for (const id of ids.filter((id) => !done.has(id))) {
      const body = await (await fetch(`${server.url}/v1/generations/${id}`, { headers })).json();
      if (body.state === 'completed' || body.state === 'failed') done.set(id, body);
    }
    await sleep(100);
  }
  return done;
}

describe('durability', () => {
  test('kill -9 at any moment, then a restart: every accepted generation ends exactly once', { timeout: 240_000 }, async () => {
    const dataDir = tempDir();
    const ids: string[] = [];
    try {
      for (let round = 0; round < 4; round++) {
        const server = await spawnServer(['--data-dir', dataDir, '--workers', '2'], ENV);
        for (let i = 0; i < 5; i++) ids.push(await submit(server, ids.length));
        await sleep(50 + round * 150);
        server.child.kill('SIGKILL');
        await server.exited;
      }
      const server = await spawnServer(['--data-dir', dataDir, '--workers', '2'], ENV);
      try {
        const done = await waitAll(server, ids);
        for (const [id, generation] of done) {
          assert.equal(generation.state, 'completed', `${id}: ${generation.failure_reason}`);
          assert.equal(generation.output.length, 1);
          const bytes = Buffer.from(await (await fetch(generation.output[0].url)).arrayBuffer());
          assert.ok((await imageInfo(bytes)).width! > 0);
          const files = fs.readdirSync(path.join(dataDir, 'blobs', 'generations', id)).filter((f) => !f.endsWith('.tmp'));
          assert.equal(files.length, 1, `${id} has exactly one output file: ${files}`);
        }
      } finally {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      const store = await openStore({ dataDir });
      try {
        const [client] = await store.db.selectFrom('clients').select(['id', 'balance_micros']).execute();
        assert.equal(client.balance_micros, await ledger.ledgerSum(store.db, client.id), 'balance equals the ledger sum after the crashes');
        assert.equal(client.balance_micros, 1000_000_000 - ids.length * 40_400, 'each completed generation was charged exactly once');
        const entries = await store.db.selectFrom('ledger').select(['kind', 'generation_id']).where('kind', '!=', 'credit').execute();
        assert.equal(entries.length, ids.length * 2, 'one hold and one capture per generation');
        assert.equal(new Set(entries.map((e) => `${e.kind}:${e.generation_id}`)).size, entries.length);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('SIGTERM drains: the process exits 0 and no accepted work is lost', { timeout: 120_000 }, async () => {
    const dataDir = tempDir();
    try {
      const first = await spawnServer(['--data-dir', dataDir, '--workers', '1'], ENV);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await submit(first, i));
      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0);
      assert.ok(first.lines.some((l) => l.includes('"draining"')));

      const second = await spawnServer(['--data-dir', dataDir, '--workers', '2'], ENV);
      try {
        const done = await waitAll(second, ids);
        assert.ok([...done.values()].every((g) => g.state === 'completed'));
      } finally {
        second.child.kill('SIGKILL');
        await second.exited;
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
