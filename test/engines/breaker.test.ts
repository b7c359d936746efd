import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Breaker, type BreakerState } from '../../src/engines/remote/breaker.js';

test('the breaker opens after `failures` in a row, skips for the cool-down, then lets one trial decide', () => {
  let now = 0;
  const changes: BreakerState[] = [];
  const breaker = new Breaker({ failures: 3, cooldown_ms: 1000 }, () => now, (state) => changes.push(state));
  breaker.failure();
  breaker.failure();
  breaker.success(); // an answer in between resets the count
  breaker.failure();
  breaker.failure();
  assert.equal(breaker.allow(), true);
  breaker.failure();
  assert.equal(breaker.current, 'open');
  assert.equal(breaker.allow(), false);
  now = 999;
  assert.equal(breaker.allow(), false, 'still cooling down');
  now = 1000;
  assert.equal(breaker.allow(), true, 'one trial after the cool-down');
  assert.equal(breaker.allow(), false, 'only one trial at a time');
  breaker.failure();
  assert.equal(breaker.current, 'open', 'a failed trial reopens it');
  now = 2000;
  assert.equal(breaker.allow(), true);
  breaker.success();
  assert.equal(breaker.current, 'closed');
  assert.equal(breaker.allow(), true);
  assert.deepEqual(changes, ['open', 'half-open', 'open', 'half-open', 'closed']);
});
