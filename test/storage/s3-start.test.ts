import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { StartRefused } from '../../src/roles/role.js';
import { startServer } from '../../src/server.js';
import { spawnRole } from '../helpers/process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startS3rver, type FakeS3 } from '../helpers/s3rver.js';

describe('a start with S3 settings that cannot work is refused in one line', () => {
  let s3: FakeS3;
  before(async () => {
    s3 = await startS3rver('refusals');
  });
  after(() => s3.close());

  test('a bucket that does not exist', async () => {
    const config = loadConfig({ port: '0', dataDir: tempDir(), ...s3.flags, s3Bucket: 'no-such-bucket' }, {});
    await assert.rejects(
      startServer(config, { role: 'worker' }),
      (err: Error) => err instanceof StartRefused && err.message === `cannot reach the S3 bucket no-such-bucket at ${s3.endpoint}: no such bucket`,
    );
  });

  test('an endpoint nothing listens on', async () => {
    const config = loadConfig({ port: '0', dataDir: tempDir(), ...s3.flags, s3Endpoint: 'http://127.0.0.1:1' }, {});
    await assert.rejects(startServer(config), (err: Error) => err instanceof StartRefused && /^cannot reach the S3 bucket refusals at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/.test(err.message) && !err.message.includes('\n'));
  });

  test('atelier api with S3 settings but no bucket exits 1 with one line on stderr', async () => {
    await assert.rejects(
      spawnRole('api', [], { ATELIER_DATA_DIR: tempDir(), ATELIER_S3_ENDPOINT: s3.endpoint, ATELIER_S3_FORCE_PATH_STYLE: 'true' }),
      (err: Error) => /exited with [12]:\natelier: ATELIER_S3_ENDPOINT, ATELIER_S3_FORCE_PATH_STYLE set without ATELIER_S3_BUCKET \(--s3-bucket\): name the bucket, or unset them to keep blobs in the data dir\n$/.test(err.message),
    );
  });
});
