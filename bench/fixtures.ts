/** The bench's client key, as the servers under test are seeded with it. */
export const BENCH_KEY = 'luma-api-bench-0000000000000000000000000';
export const benchHeaders = { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' };

/** The body of every measured submit. */
export const submitBody = JSON.stringify({ prompt: 'A glass of iced coffee on a marble countertop' });

/** What the reference servers answer: a Generation as a poll returns it. */
export const fixedGeneration = {
  id: 'd290f1ee-6c54-4b01-90e6-d701748f0851',
  type: 'image',
  state: 'queued',
  model: 'uni-1',
  created_at: '2026-04-08T12:00:00Z',
  output: [],
  failure_reason: null,
  failure_code: null,
};
