import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { clients, files, timeOrderedId, type FileTable, type Store } from '../../src/store/index.js';
import { dialects } from '../helpers/dialects.js';

async function seedClient(store: Store): Promise<string> {
  const id = randomUUID();
  await clients.insertClient(store.db, { id, name: 'c', status: 'active', rpm_limit: null, max_concurrent: null, balance_micros: null, created_at: 0 });
  return id;
}

function fileRow(clientId: string, now: number, extra: Partial<FileTable> = {}): FileTable {
  return {
    id: timeOrderedId(now),
    client_id: clientId,
    user_id: null,
    purpose: 'input',
    state: 'pending',
    mime_type: 'image/png',
    size_bytes: 10,
    filename: null,
    blob_key: null,
    failure_reason: null,
    uploaded_at: null,
    expires_at: null,
    deleted_at: null,
    created_at: now,
    updated_at: now,
    ...extra,
  };
}

for (const dialect of await dialects()) {
  describe(`files store on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('a file goes pending → uploaded → ready, only once, and only for its client', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const a = await seedClient(store);
        const b = await seedClient(store);
        const row = fileRow(a, 1000);
        await files.insertFile(store.db, row);
        assert.equal(await files.getFile(store.db, row.id, b), undefined);
        assert.equal(await files.completeUpload(store.db, row.id, 1050), false, 'no bytes yet');
        assert.ok(await files.storeFileBytes(store.db, row.id, `files/${row.id}/original`, 12, 1100, null));
        assert.ok(await files.completeUpload(store.db, row.id, 1100));
        assert.equal(await files.storeFileBytes(store.db, row.id, 'x', 1, 1150, `files/${row.id}/original`), false, 'closed after complete');
        assert.equal(await files.completeUpload(store.db, row.id, 1150), false, 'completes once');
        assert.ok(await files.settleFile(store.db, row.id, { state: 'ready', mimeType: 'image/jpeg' }, 1200));
        assert.equal(await files.settleFile(store.db, row.id, { state: 'failed', reason: 'late' }, 1300), false);
        const got = await files.getFile(store.db, row.id, a);
        assert.deepEqual(
          { state: got?.state, mime: got?.mime_type, size: got?.size_bytes, uploaded: got?.uploaded_at, reason: got?.failure_reason },
          { state: 'ready', mime: 'image/jpeg', size: 12, uploaded: 1100, reason: null },
        );
      } finally {
        await cleanup();
      }
    });

    test('lists newest first with a keyset cursor, filters, and hides deleted files unless asked', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const a = await seedClient(store);
        const b = await seedClient(store);
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const row = fileRow(a, 10_000 + i, { purpose: i % 2 ? 'reference' : 'input' });
          await files.insertFile(store.db, row);
          ids.push(row.id);
        }
        await files.insertFile(store.db, fileRow(b, 20_000));
        const newestFirst = [...ids].reverse();
        const page1 = await files.listFiles(store.db, a, {}, 3);
        assert.deepEqual(page1.map((f) => f.id), newestFirst.slice(0, 4));
        const page2 = await files.listFiles(store.db, a, { before: newestFirst[2] }, 3);
        assert.deepEqual(page2.map((f) => f.id), newestFirst.slice(3, 7));
        const refs = await files.listFiles(store.db, a, { purpose: 'reference' }, 10);
        assert.deepEqual(refs.map((f) => f.id), [ids[5], ids[3], ids[1]]);

        assert.ok(await files.softDeleteFile(store.db, ids[6], a, 30_000));
        assert.ok(await files.softDeleteFile(store.db, ids[6], a, 30_001), 'deleting twice is fine');
        assert.equal(await files.softDeleteFile(store.db, ids[5], b, 30_000), false, "another client's file");
        assert.deepEqual((await files.listFiles(store.db, a, {}, 10)).map((f) => f.id), newestFirst.slice(1));
        const deleted = await files.listFiles(store.db, a, { state: 'deleted' }, 10);
        assert.deepEqual(deleted.map((f) => [f.id, f.deleted_at]), [[ids[6], 30_000]]);
      } finally {
        await cleanup();
      }
    });

    test('expiry deletes files past expires_at; purge and stale-ingest queries find the right rows', async () => {
      const { store, cleanup } = await dialect.open();
      try {
        const a = await seedClient(store);
        const soon = fileRow(a, 1000, { expires_at: 5000, blob_key: 'files/soon/original', uploaded_at: 1000, state: 'ready' });
        const later = fileRow(a, 1001, { expires_at: 50_000, blob_key: 'files/later/original', uploaded_at: 1000, state: 'ready' });
        const stuck = fileRow(a, 1002, { blob_key: 'files/stuck/original', uploaded_at: 1002 });
        const waiting = fileRow(a, 1003);
        for (const row of [soon, later, stuck, waiting]) await files.insertFile(store.db, row);

        assert.equal(await files.expireFiles(store.db, 5000), 1);
        assert.equal(await files.expireFiles(store.db, 5000), 0);
        assert.deepEqual(await files.listPurgeableFiles(store.db, 10), [{ id: soon.id, blob_key: 'files/soon/original' }]);
        await files.clearFileBlob(store.db, soon.id);
        assert.deepEqual(await files.listPurgeableFiles(store.db, 10), []);
        assert.equal((await files.getFile(store.db, soon.id, a))?.state, 'deleted');

        assert.equal(await files.failAbandonedUploads(store.db, 1003, 'never completed', 6000), 0, 'only rows created before the cutoff');
        assert.equal(await files.failAbandonedUploads(store.db, 1004, 'never completed', 6000), 1);
        assert.deepEqual(
          await files.getFile(store.db, waiting.id, a).then((f) => [f?.state, f?.failure_reason]),
          ['failed', 'never completed'],
        );
        assert.deepEqual(await files.listStalePendingFiles(store.db, 2000, 10), [stuck.id]);
        const claims = await Promise.all([files.claimStaleFile(store.db, stuck.id, 2000, 3000), files.claimStaleFile(store.db, stuck.id, 2000, 3001)]);
        assert.deepEqual(claims.sort(), [false, true], 'two sweepers that both listed the file: one claims it');
        assert.deepEqual(await files.listStalePendingFiles(store.db, 2000, 10), []);
      } finally {
        await cleanup();
      }
    });
  });
}
