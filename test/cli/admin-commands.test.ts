import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { spawnServer } from '../helpers/process.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/atelier.js');
const run = promisify(execFile);

async function atelier(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('atelier clients/keys/credits work on a stopped data dir and against a running server', { timeout: 180_000 }, async () => {
  const dataDir = tempDir();
  try {
    const created = await atelier(['clients', 'create', '--name', 'acme', '--credits', '0.05', '--data-dir', dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const { client, key } = JSON.parse(created.stdout);
    assert.equal(client.balance_micros, 50_000);

    const token = 'cli-admin-token';
    const server = await spawnServer(['--data-dir', dataDir, '--workers', '0'], { ATELIER_ADMIN_TOKEN: token, ATELIER_API_KEYS: '' });
    const env = { ATELIER_ADMIN_TOKEN: token, ATELIER_URL: server.url };
    const submit = () =>
      fetch(`${server.url}/v1/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'cli' }),
      });
    try {
      assert.equal((await submit()).status, 201);
      assert.equal((await submit()).status, 402);
      const topped = await atelier(['credits', 'credit', client.id, '1', '--reason', 'top-up'], env);
      assert.equal(JSON.parse(topped.stdout).balance_micros, 50_000 - 40_400 + 1_000_000);
      assert.equal((await submit()).status, 201);

      const ledger = JSON.parse((await atelier(['credits', 'ledger', client.id], env)).stdout).data;
      assert.deepEqual(ledger.map((e: { kind: string }) => e.kind).sort(), ['credit', 'credit', 'hold', 'hold']);

      const keys = JSON.parse((await atelier(['keys', 'list', client.id], env)).stdout).data;
      assert.equal((await atelier(['keys', 'revoke', keys[0].id], env)).code, 0);
      assert.equal((await submit()).status, 401);

      const missing = await atelier(['clients', 'suspend', '00000000-0000-4000-8000-000000000000'], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Client not found/);
      const refused = await atelier(['clients', 'list'], { ...env, ATELIER_ADMIN_TOKEN: 'wrong' });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /the server at \S+ refused the admin token: set ATELIER_ADMIN_TOKEN/);
      assert.equal((await atelier(['credits', 'credit', client.id, 'lots'], env)).code, 2);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('atelier latency shows and sets the latency profile, on a data dir and against a running server', { timeout: 60_000 }, async () => {
  const dataDir = tempDir();
  try {
    const set = await atelier(['latency', 'fixed:1500', '--data-dir', dataDir]);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(
      (({ latency, latency_configured }) => ({ latency, latency_configured }))(JSON.parse(set.stdout)),
      { latency: 'fixed:1500', latency_configured: 'instant' },
    );
    const token = 'cli-latency-token';
    const server = await spawnServer(['--data-dir', dataDir, '--workers', '0'], { ATELIER_ADMIN_TOKEN: token });
    const env = { ATELIER_ADMIN_TOKEN: token, ATELIER_URL: server.url };
    try {
      assert.equal(JSON.parse((await atelier(['latency'], env)).stdout).latency, 'fixed:1500', 'the server started on that data dir took it up');
      assert.equal(JSON.parse((await atelier(['latency', 'realistic'], env)).stdout).latency, 'realistic');
      const bad = await atelier(['latency', 'slow'], env);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "error: latency: must be instant, realistic or fixed:<ms>, got 'slow'\n");
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
