import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

test('moderation defaults to prompt checks, with Porn and Hentai thresholds at 0.7', () => {
  const { moderation } = loadConfig({}, {});
  assert.equal(moderation.mode, 'prompt');
  assert.deepEqual(moderation.blockTerms, []);
  assert.deepEqual(moderation.allowTerms, []);
  assert.deepEqual(moderation.imageThresholds, { Porn: 0.7, Hentai: 0.7 });
});

test('--moderation and its env twin, term lists and thresholds are read; flag beats env', () => {
  const env = {
    ATELIER_MODERATION: 'off',
    ATELIER_MODERATION_BLOCK_TERMS: ' pineapple , |nude| ,',
    ATELIER_MODERATION_ALLOW_TERMS: 'shiitake',
    ATELIER_MODERATION_IMAGE_THRESHOLDS: 'Sexy:0.9, Porn:0.5',
  };
  assert.equal(loadConfig({}, env).moderation.mode, 'off');
  const { moderation } = loadConfig({ moderation: 'full' }, env);
  assert.equal(moderation.mode, 'full');
  assert.deepEqual(moderation.blockTerms, ['pineapple', '|nude|']);
  assert.deepEqual(moderation.allowTerms, ['shiitake']);
  assert.deepEqual(moderation.imageThresholds, { Sexy: 0.9, Porn: 0.5 });
});

test('bad moderation settings are refused with the setting named', () => {
  assert.throws(() => loadConfig({ moderation: 'strict' }, {}), (err: Error) => err instanceof ConfigError && /ATELIER_MODERATION\b/.test(err.message));
  for (const bad of ['Porn', 'Porn:', 'Porn:1.5', 'Porn:-0.1', 'Nudity:0.5', 'Porn:0.5:1', 'Porn:high']) {
    assert.throws(() => loadConfig({}, { ATELIER_MODERATION_IMAGE_THRESHOLDS: bad }), /ATELIER_MODERATION_IMAGE_THRESHOLDS/, bad);
  }
});
