import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { BlobTooLarge, LocalBlobStore, type BlobStore } from '../../src/storage/index.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { startS3rver, type FakeS3 } from '../helpers/s3rver.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Bytes that arrive in pieces, as a request body does. */
function trickle(bytes: Buffer, piece = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
    })(),
  );
}

const text = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

let s3: FakeS3;
before(async () => {
  s3 = await startS3rver('blob-contract');
});
after(async () => {
  await s3.close();
});

const stores: Array<{ name: string; open(): BlobStore }> = [
  { name: 'local', open: () => new LocalBlobStore(tempDir()) },
  // A list page of 2 makes every listing below take several pages.
  { name: 's3', open: () => new S3BlobStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, urls: 'presigned' }, { listPage: 2 }) },
];

for (const kind of stores) {
  describe(`${kind.name} blob store`, () => {
    let blobs: BlobStore;
    const prefix = `t-${randomBytes(4).toString('hex')}`;
    before(() => {
      blobs = kind.open();
    });
    after(() => blobs.close());

    test('a put blob reads back whole, by stream, by its head and as a file; a missing one is null everywhere', async () => {
      const bytes = randomBytes(3000);
      await blobs.put(`${prefix}/a/output-0.png`, bytes);
      assert.deepEqual(await blobs.read(`${prefix}/a/output-0.png`), bytes);
      assert.deepEqual(await blobs.stat(`${prefix}/a/output-0.png`), { size: 3000 });
      const opened = await blobs.open(`${prefix}/a/output-0.png`);
      assert.equal(opened!.size, 3000);
      assert.deepEqual(await text(opened!.stream), bytes);
      assert.deepEqual(await blobs.readHead(`${prefix}/a/output-0.png`, 16), bytes.subarray(0, 16));
      assert.deepEqual(await blobs.readHead(`${prefix}/a/output-0.png`, 5000), bytes);
      const scratch = tempDir();
      const file = await blobs.localFile(`${prefix}/a/output-0.png`, scratch);
      assert.deepEqual(fs.readFileSync(file!), bytes);
      assert.match(file!, /\.png$/);
      fs.rmSync(scratch, { recursive: true, force: true });

      for (const key of [`${prefix}/missing`, '../etc/passwd']) {
        if (key.endsWith('missing')) assert.equal(await blobs.read(key), null, key);
        assert.equal(await blobs.stat(key), null, key);
        assert.equal(await blobs.open(key), null, key);
        assert.equal(await blobs.localFile(key, tempDir()), null, key);
        assert.equal((await blobs.readHead(key, 16)).length, 0, key);
      }
    });

    test('an empty blob has an empty head', async () => {
      await blobs.put(`${prefix}/empty`, Buffer.alloc(0));
      assert.deepEqual(await blobs.stat(`${prefix}/empty`), { size: 0 });
      assert.equal((await blobs.readHead(`${prefix}/empty`, 16)).length, 0);
    });

    test('a stream larger than one upload part is stored whole, and its size returned', async () => {
      const bytes = randomBytes(9 * 1024 * 1024 + 123);
      assert.equal(await blobs.putStream(`${prefix}/big/original`, trickle(bytes), bytes.length), bytes.length);
      assert.deepEqual(await blobs.read(`${prefix}/big/original`), bytes);
    });

    test('a stream past its cap is refused with BlobTooLarge and nothing is stored', async () => {
      for (const size of [1000, 9 * 1024 * 1024]) {
        const key = `${prefix}/capped-${size}/original`;
        await assert.rejects(blobs.putStream(key, trickle(randomBytes(size + 1)), size), (err) => err instanceof BlobTooLarge && err.maxBytes === size);
        assert.equal(await blobs.stat(key), null);
      }
    });

    test('a stream that fails midway stores nothing', async () => {
      const source = Readable.from(
        (async function* () {
          yield randomBytes(1000);
          throw new Error('client went away');
        })(),
      );
      await assert.rejects(blobs.putStream(`${prefix}/broken/original`, source, 10_000_000), /client went away/);
      assert.equal(await blobs.stat(`${prefix}/broken/original`), null);
    });

    test('copy makes an independent blob; copying a missing one is false', async () => {
      const bytes = randomBytes(100);
      await blobs.put(`${prefix}/c/from`, bytes);
      assert.equal(await blobs.copy(`${prefix}/c/from`, `${prefix}/c/to.mp4`), true);
      await blobs.put(`${prefix}/c/from`, randomBytes(10));
      assert.deepEqual(await blobs.read(`${prefix}/c/to.mp4`), bytes);
      assert.equal(await blobs.copy(`${prefix}/c/nothing`, `${prefix}/c/to2`), false);
      assert.equal(await blobs.stat(`${prefix}/c/to2`), null);
    });

    test('listChildren names what is directly under a prefix, across pages; deletePrefix removes a blob and all under it', async () => {
      const ids = ['g1', 'g2', 'g3', 'g4', 'g5'];
      for (const id of ids) {
        await blobs.put(`${prefix}/inputs/${id}/source-0`, Buffer.from(id));
        await blobs.put(`${prefix}/inputs/${id}/image_ref-0`, Buffer.from(id));
      }
      await blobs.put(`${prefix}/inputs-other/x`, Buffer.from('x'));
      assert.deepEqual((await blobs.listChildren(`${prefix}/inputs`)).sort(), ids);
      assert.deepEqual(await blobs.listChildren(`${prefix}/nothing-here`), []);

      await blobs.deletePrefix(`${prefix}/inputs/g2`);
      assert.deepEqual((await blobs.listChildren(`${prefix}/inputs`)).sort(), ['g1', 'g3', 'g4', 'g5']);
      await blobs.deletePrefix(`${prefix}/inputs`);
      assert.deepEqual(await blobs.listChildren(`${prefix}/inputs`), []);
      // A sibling that merely starts with the same letters stays.
      assert.deepEqual(await blobs.read(`${prefix}/inputs-other/x`), Buffer.from('x'));
      await blobs.put(`${prefix}/single`, Buffer.from('1'));
      await blobs.deletePrefix(`${prefix}/single`);
      assert.equal(await blobs.stat(`${prefix}/single`), null);
    });
  });
}
