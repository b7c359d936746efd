import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { createPromptFilter } from '../../src/moderation/index.js';

test('the English dataset flags profanity through leetspeak, repeated letters and case', () => {
  const filter = createPromptFilter({ blockTerms: [], allowTerms: [] });
  assert.equal(filter.match('FUUUUCK this'), 'fuck');
  assert.equal(filter.match('a pile of sh1t'), 'shit');
  assert.equal(filter.match('a pornographic photo'), 'porn');
  assert.equal(filter.match('p0rn'), 'porn');
});

test('ordinary prompts, and words that only contain a blocked one, pass', () => {
  const filter = createPromptFilter({ blockTerms: [], allowTerms: [] });
  for (const prompt of ['A white cat wearing a tiny crown', 'an assassin in the dark', 'Scunthorpe town hall', 'a cocktail party', 'the analysis of data']) {
    assert.equal(filter.match(prompt), null, prompt);
  }
});

test('extra block terms match as typed, through leetspeak and case; bad patterns are a config error', () => {
  const filter = createPromptFilter({ blockTerms: ['pineapple', '|nude|'], allowTerms: [] });
  assert.equal(filter.match('P1neapple pizza'), 'pineapple');
  assert.equal(filter.match('a nude statue'), '|nude|');
  assert.equal(filter.match('a nudex statue'), null, 'word boundaries hold');
  assert.equal(filter.match('a cat'), null);
  assert.throws(() => createPromptFilter({ blockTerms: ['[unclosed'], allowTerms: [] }), ConfigError);
});

test('allowed terms are never flagged, even when the dataset matches inside them', () => {
  const prompt = 'a shiitake mushroom risotto';
  assert.equal(createPromptFilter({ blockTerms: [], allowTerms: [] }).match(prompt), 'shit');
  assert.equal(createPromptFilter({ blockTerms: [], allowTerms: ['shiitake'] }).match(prompt), null);
  const own = createPromptFilter({ blockTerms: ['pine'], allowTerms: ['pineapple'] });
  assert.equal(own.match('pineapple juice'), null);
  assert.equal(own.match('a pine forest'), 'pine');
});
