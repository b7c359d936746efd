import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { spawnServer } from '../helpers/process.js';
import { tempDir } from '../helpers/temp-dir.js';

test('with no key configured, the first start prints a dev key once and stores only its hash', { timeout: 60_000 }, async () => {
  const dataDir = tempDir();
  const env = { ATELIER_API_KEYS: '' };
  try {
    const first = await spawnServer(['--data-dir', dataDir], env);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    const printed = first.lines.join('\n').match(/^\s+(luma-api-[A-Za-z0-9]{40})$/m);
    assert.ok(printed, `no key in:\n${first.lines.join('\n')}`);
    const key = printed[1];
    const database = fs.readFileSync(path.join(dataDir, 'atelier.db'));
    assert.ok(!database.includes(Buffer.from(key)), 'the raw key is not in the store');

    const second = await spawnServer(['--data-dir', dataDir], env);
    try {
      assert.ok(!second.lines.join('\n').includes('luma-api-'), 'the key is shown only once');
      const res = await fetch(`${second.url}/v1/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'hello' }),
      });
      assert.equal(res.status, 201);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      const log = second.lines.map((l) => JSON.parse(l));
      assert.ok(log.some((entry) => entry.msg === 'atelier listening' && entry.level === 30));
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('bad flags exit 2 with the setting named', { timeout: 30_000 }, async () => {
  await assert.rejects(spawnServer(['--rpm', 'many'], {}), /exited with 2:[\s\S]*rpm \(ATELIER_RPM\) must be an integer/);
});
