import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { isBookkeeping, TABLES } from '../../src/migrate/index.js';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/temp-dir.js';

test('atelier migrate has a decision for every table the migrations create, and for no other', async () => {
  const dir = tempDir('atelier-migrate-tables-');
  const store = await openStore({ dataDir: dir });
  try {
    const { rows } = await store.db.introspection.getTables().then((tables) => ({ rows: tables.map((t) => t.name) }));
    const tables = rows.filter((t) => !isBookkeeping(t)).sort();
    assert.deepEqual(TABLES.map((t) => t.table).sort(), tables, 'a new table needs a line in src/migrate/tables.ts saying whether atelier migrate copies it');
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
