import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { ERRORS, FAILURE_REASONS } from '../../src/contract/index.js';

const DOC = fs.readFileSync(new URL('../../../docs/compatibility.md', import.meta.url), 'utf8');

test('every error in the catalogue is listed in docs/compatibility.md with its status', () => {
  for (const [code, { status, detail }] of Object.entries(ERRORS)) {
    const row = DOC.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is missing from docs/compatibility.md`);
    assert.ok(row.includes(`| ${status} |`), `${code}: status ${status} not on its row`);
    assert.ok(row.includes(detail.replace(/\|/g, '\\|')), `${code}: detail "${detail}" not on its row`);
  }
});

test('every failure code and its default reason are documented', () => {
  for (const [code, reason] of Object.entries(FAILURE_REASONS)) {
    assert.ok(DOC.includes(`\`${code}\``), code);
    assert.ok(DOC.includes(reason), reason);
  }
});
