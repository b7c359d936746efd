import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/temp-dir.js';

test('SQLite: committed rows reach the database file from a background checkpoint, below SQLite’s own 1000-page threshold', async () => {
  const dir = tempDir('atelier-store-');
  const store = await openStore({ dataDir: dir });
  try {
    const file = path.join(dir, 'atelier.db');
    await sql`create table scratch (payload text not null)`.execute(store.db);
    const before = fs.statSync(file).size;
    const payload = 'x'.repeat(4000);
    for (let batch = 0; batch < 10; batch++) {
      await store.transact(async (trx) => {
        for (let row = 0; row < 30; row++) await sql`insert into scratch (payload) values (${payload})`.execute(trx);
      });
    }
    const deadline = performance.now() + 10_000;
    while (fs.statSync(file).size < before + 300 * 4000 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.statSync(file).size >= before + 300 * 4000, `the database file grew from ${before} to ${fs.statSync(file).size} bytes`);
    const { rows } = await sql<{ n: number }>`select count(*) as n from scratch`.execute(store.db);
    assert.equal(rows[0].n, 300);
  } finally {
    await store.close();
  }
});
