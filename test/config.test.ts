import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

test('defaults follow the start contract', () => {
  const config = loadConfig({}, {});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8080);
  assert.equal(config.dataDir, path.resolve('data'));
  assert.equal(config.rpm, 30);
  assert.equal(config.maxConcurrent, 10);
  assert.equal(config.workers, 2);
  assert.deepEqual(config.apiKeys, []);
  assert.ok(Object.isFrozen(config));
});

test('flags win over env, env over defaults', () => {
  const env = { ATELIER_PORT: '9000', ATELIER_RPM: '5', ATELIER_WORKERS: '0', ATELIER_API_KEYS: ' luma-api-a , luma-api-b,' };
  const config = loadConfig({ port: '9100' }, env);
  assert.equal(config.port, 9100);
  assert.equal(config.rpm, 5);
  assert.equal(config.workers, 0);
  assert.deepEqual(config.apiKeys, ['luma-api-a', 'luma-api-b']);
});

test('bad values are refused with the setting named', () => {
  assert.throws(() => loadConfig({ port: 'eighty' }, {}), (err: Error) => err instanceof ConfigError && /port \(ATELIER_PORT\)/.test(err.message));
  assert.throws(() => loadConfig({}, { ATELIER_MAX_CONCURRENT: '-1' }), ConfigError);
  assert.throws(() => loadConfig({}, { ATELIER_API_KEYS: 'sk-live-123' }), /must start with 'luma-api-'/);
  assert.throws(() => loadConfig({ credits: 'lots' }, {}), ConfigError);
});

test('S3 settings without a bucket are refused in one line naming them; a bucket alone gets the defaults', () => {
  assert.throws(
    () => loadConfig({ s3Endpoint: 'http://127.0.0.1:9000' }, { ATELIER_BLOB_URLS: 'proxy' }),
    (err: Error) =>
      err instanceof ConfigError &&
      err.message === 'ATELIER_S3_ENDPOINT, ATELIER_BLOB_URLS set without ATELIER_S3_BUCKET (--s3-bucket): name the bucket, or unset them to keep blobs in the data dir',
  );
  assert.equal(loadConfig({}, {}).s3, null);
  assert.deepEqual(loadConfig({}, { ATELIER_S3_BUCKET: 'media' }).s3, { bucket: 'media', endpoint: '', region: 'us-east-1', forcePathStyle: false, urls: 'presigned' });
  assert.equal(loadConfig({}, { ATELIER_S3_BUCKET: 'media', AWS_REGION: 'eu-west-3' }).s3?.region, 'eu-west-3');
  assert.deepEqual(
    loadConfig({ s3Bucket: 'media', s3ForcePathStyle: true as never, blobUrls: 'proxy' }, { ATELIER_S3_ENDPOINT: 'http://127.0.0.1:9000/', ATELIER_S3_REGION: 'auto' }).s3,
    { bucket: 'media', endpoint: 'http://127.0.0.1:9000', region: 'auto', forcePathStyle: true, urls: 'proxy' },
  );
  assert.throws(() => loadConfig({}, { ATELIER_S3_BUCKET: 'My_Bucket' }), /ATELIER_S3_BUCKET\) must be an S3 bucket name/);
  assert.throws(() => loadConfig({}, { ATELIER_S3_BUCKET: 'media', ATELIER_S3_ENDPOINT: 'minio:9000' }), /ATELIER_S3_ENDPOINT\) must be an http\(s\) URL/);
  assert.throws(() => loadConfig({}, { ATELIER_S3_BUCKET: 'media', ATELIER_BLOB_URLS: 'cdn' }), /blobUrls \(ATELIER_BLOB_URLS\) must be one of presigned, proxy/);
});
