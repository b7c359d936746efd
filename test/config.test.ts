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
