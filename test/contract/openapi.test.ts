import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../../src/contract/openapi.js';

const COMMITTED = new URL('../../../docs/openapi.json', import.meta.url);

test('the generated document is valid OpenAPI 3.1', async () => {
  const validator = new Validator();
  const result = await validator.validate(openApiDocument() as Parameters<Validator['validate']>[0]);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
});

test('docs/openapi.json matches what the schemas generate (run `npm run openapi` after a schema change)', () => {
  const committed = JSON.parse(fs.readFileSync(COMMITTED, 'utf8'));
  assert.deepEqual(committed, openApiDocument());
});
